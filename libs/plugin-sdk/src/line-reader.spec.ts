import { PassThrough } from 'node:stream';
import { readLines } from './line-reader';

function collect(chunks: Buffer[], max = 1000) {
  const input = new PassThrough();
  const lines: string[] = [];
  const oversize: number[] = [];
  const ended = new Promise<void>((resolve) =>
    readLines(input, max, { line: (l) => lines.push(l), oversize: (n) => oversize.push(n), end: resolve }),
  );
  for (const chunk of chunks) input.write(chunk);
  input.end();
  return ended.then(() => ({ lines, oversize }));
}

describe('readLines', () => {
  it('splits lines across chunks, even inside a multi-byte character, and strips \\r', async () => {
    const bytes = Buffer.from('{"a":"é"}\r\n{"b":"日本"}\nlast', 'utf8');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect((await collect(chunks)).lines).toEqual(['{"a":"é"}', '{"b":"日本"}', 'last']);
  });

  it('drops lines over the limit, whether they arrive whole or in pieces', async () => {
    const result = await collect(
      [
        Buffer.from('short\n' + 'x'.repeat(30)),
        Buffer.from('y'.repeat(30) + '\nok\n'),
        Buffer.from('z'.repeat(50) + '\n'),
      ],
      40,
    );
    expect(result.lines).toEqual(['short', 'ok']);
    expect(result.oversize).toEqual([60, 50]);
  });
});
