import { createHash } from 'node:crypto';
import { computeChecksum, parseUniqueIdentifier, pluginIdOf, sha256Hex, uniqueIdentifier } from './package-identity';

describe('computeChecksum', () => {
  const a = { path: 'b.js', sha256: sha256Hex(Buffer.from('B')) };
  const b = { path: 'a/z.js', sha256: sha256Hex(Buffer.from('Z')) };

  it('hashes, in path order, each UTF-8 path, a NUL and the raw file digest', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('a/z.js'), Buffer.of(0), Buffer.from(b.sha256, 'hex')]))
      .update(Buffer.concat([Buffer.from('b.js'), Buffer.of(0), Buffer.from(a.sha256, 'hex')]))
      .digest('hex');
    expect(computeChecksum([a, b])).toBe(expected);
    expect(computeChecksum([b, a])).toBe(expected);
  });

  it('binds names: the same contents under other names give another checksum', () => {
    const swapped = [
      { path: 'b.js', sha256: b.sha256 },
      { path: 'a/z.js', sha256: a.sha256 },
    ];
    expect(computeChecksum(swapped)).not.toBe(computeChecksum([a, b]));
  });

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    // UTF-8: U+FF61 (EF BD A1) before U+1F600 (F0 9F 98 80); UTF-16 code units order them the other way.
    const files = [
      { path: '\u{1F600}.txt', sha256: a.sha256 },
      { path: '\uFF61.txt', sha256: b.sha256 },
    ];
    const utf8Order = createHash('sha256')
      .update(Buffer.concat([Buffer.from('\uFF61.txt'), Buffer.of(0), Buffer.from(b.sha256, 'hex')]))
      .update(Buffer.concat([Buffer.from('\u{1F600}.txt'), Buffer.of(0), Buffer.from(a.sha256, 'hex')]))
      .digest('hex');
    expect(computeChecksum(files)).toBe(utf8Order);
  });
});

describe('identifiers', () => {
  const checksum = 'ab'.repeat(32);
  it('builds and parses author/name:version@checksum', () => {
    const id = uniqueIdentifier({ author: 'acme', name: 'echo', version: '1.0.0-beta.1' }, checksum);
    expect(id).toBe(`acme/echo:1.0.0-beta.1@${checksum}`);
    expect(pluginIdOf({ author: 'acme', name: 'echo' })).toBe('acme/echo');
    expect(parseUniqueIdentifier(id)).toEqual({
      author: 'acme',
      name: 'echo',
      version: '1.0.0-beta.1',
      checksum,
      pluginId: 'acme/echo',
    });
  });

  it.each([
    'acme/echo:1.0.0',
    `acme/echo@${checksum}`,
    `Acme/echo:1.0.0@${checksum}`,
    `acme/echo:1.0.0@${checksum.slice(1)}`,
  ])('does not parse %s', (text) => expect(parseUniqueIdentifier(text)).toBeNull());
});
