import { findJsonSyntaxError, lineAndColumn } from './json-syntax';

describe('findJsonSyntaxError', () => {
  const valid = [
    '{}',
    '[]',
    ' {"a": [1, -2.5e3, true, false, null, "x\\"y\\u00e9\\n"], "b": {"c": {}}} ',
    '"just a string"',
    '0',
    JSON.stringify({ deep: Array.from({ length: 50 }, (_, i) => ({ i, s: `v${i}` })) }),
  ];

  it.each(valid)('finds nothing wrong in %s', (text) => {
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  it.each([
    ['{"a":}', 5, 'expected a value, found "}"'],
    ['{"a": 1,}', 8, 'expected a double-quoted property name, found "}"'],
    ['{"a" 1}', 5, `expected ':' after a property name, found "1"`],
    ['[1, 2', 5, 'unexpected end of input'],
    ['{"a": tru}', 6, 'expected a value, found "t"'],
    ['{"a": 01}', 7, `expected ',' or '}', found "1"`],
    ['{"a": "x\ny"}', 8, 'control character (a raw line break or tab?) inside a string'],
    ['{} {}', 3, 'unexpected "{" after the end of the JSON value'],
    ["{'a': 1}", 1, `expected a double-quoted property name, found "'"`],
  ])('places the mistake in %j', (text, offset, message) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ offset, message });
  });

  it('agrees with JSON.parse on random damage to a document', () => {
    const base = JSON.stringify(
      { openapi: '3.0.0', paths: { '/a': { get: { parameters: [{ name: 'q', in: 'query' }] } } } },
      null,
      2,
    );
    const junk = ['', ',', '}', ']', '"', ':', 'x', '{', '[', '\\', '1', ' '];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const at = random(base.length);
      const text = base.slice(0, at) + junk[random(junk.length)] + base.slice(at + random(3));
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect({ text, ok: findJsonSyntaxError(text) === undefined }).toEqual({ text, ok: parses });
    }
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});
