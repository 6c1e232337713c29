import { assertValidKey, assertValidPrefix } from './storage-key';
import { StorageErrorCode } from './storage.errors';

describe('storage keys', () => {
  it.each(['a', 'docs/readme.txt', 'u/1/file name (1).pdf', 'ünïcode/ファイル.txt', 'a.b/c..d'])(
    'accepts %j',
    (key) => {
      expect(assertValidKey(key)).toBe(key);
    },
  );

  it.each([
    ['', 'empty'],
    ['../x', '".." segment'],
    ['a/./b', '"." or ".." segment'],
    ['/abs', 'absolute'],
    ['C:/windows', 'absolute'],
    ['a//b', 'empty path segment'],
    ['a/', 'empty path segment'],
    ['nul\u0000', 'control character'],
    ['tab\there', 'control character'],
    ['back\\slash', 'backslash'],
    ['.keel/meta/x', 'reserved'],
    ['x'.repeat(1025), 'longer than 1024 bytes'],
  ])('refuses %j (%s)', (key, why) => {
    expect(() => assertValidKey(key)).toThrow(expect.objectContaining({ code: StorageErrorCode.InvalidKey }));
    expect(() => assertValidKey(key)).toThrow(new RegExp(why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('accepts an empty prefix or one ending in a slash', () => {
    expect(assertValidPrefix('')).toBe('');
    expect(assertValidPrefix('docs/')).toBe('docs/');
    expect(() => assertValidPrefix('../')).toThrow();
  });
});
