import { fromBufferPromise } from 'yauzl';
import { craftZip } from './package-fixtures.spec-support';
import { replaceZipComment } from './zip-comment';

async function commentOf(zip: Buffer): Promise<string> {
  const file = await fromBufferPromise(zip, { lazyEntries: true });
  file.close();
  return file.comment;
}

describe('replaceZipComment', () => {
  const zip = craftZip([{ name: 'a.txt', data: Buffer.from('hello') }]);

  it('sets the comment and its length, keeping every byte before them', async () => {
    const commented = replaceZipComment(zip, '{"signature":"AAAA","time":1}');
    expect(await commentOf(commented)).toBe('{"signature":"AAAA","time":1}');
    expect(commented.readUInt16LE(zip.length - 2)).toBe(29);
    expect(commented.subarray(0, zip.length - 2).equals(zip.subarray(0, zip.length - 2))).toBe(true);
  });

  it('replaces a previous comment, longer or shorter', async () => {
    const long = replaceZipComment(zip, 'x'.repeat(500));
    const short = replaceZipComment(long, 'y');
    expect(await commentOf(short)).toBe('y');
    expect(short.length).toBe(zip.length + 1);
    expect(await commentOf(replaceZipComment(short, ''))).toBe('');
  });

  it('refuses a comment holding the end-of-central-directory signature, and bytes that are not a zip', () => {
    expect(() => replaceZipComment(zip, 'PK\u0005\u0006')).toThrow(/must not contain/);
    expect(() => replaceZipComment(Buffer.from('no zip here, none at all'), '')).toThrow(
      expect.objectContaining({ code: 'corrupt_package' }),
    );
  });
});
