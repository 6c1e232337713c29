import { normalizeManifestPath, unsafePathReason } from './package-path';

describe('unsafePathReason', () => {
  it.each(['manifest.yaml', 'provider/echo.yaml', 'node_modules/@scope/pkg/index.js', '_assets/icon.svg', 'a..b/c.d'])(
    'accepts %s',
    (path) => expect(unsafePathReason(path)).toBeNull(),
  );

  it.each([
    ['', 'the name is empty'],
    ['a/../b', 'the path has a "." or ".." segment'],
    ['./a', 'the path has a "." or ".." segment'],
    ['/a', 'the path is absolute'],
    ['c:x', 'the path starts with a drive letter'],
    ['a\\b', 'the name contains a backslash'],
    ['a/', 'the path has an empty segment'],
    ['a\nb', 'the name contains a NUL or control character'],
    ['x'.repeat(1025), 'the name is longer than 1024 bytes'],
  ])('refuses %j', (path, reason) => expect(unsafePathReason(path)).toBe(reason));
});

describe('normalizeManifestPath', () => {
  it('drops leading ./ and whitespace only', () => {
    expect(normalizeManifestPath(' ././provider/x.yaml ')).toBe('provider/x.yaml');
    expect(normalizeManifestPath('../x.yaml')).toBe('../x.yaml');
  });
});
