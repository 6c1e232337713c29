import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginFiles } from './package-fixtures.spec-support';
import { extractPackage } from './package-extractor';
import { readPackage } from './package-reader';
import { packFiles } from './package-writer';
import { PluginPackageErrorCode } from './plugin-package.error';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'keel-extract-'));
});
afterEach(() => rm(parent, { recursive: true, force: true }));

describe('extractPackage', () => {
  it('writes every file into a new directory under the parent', async () => {
    const pkg = await readPackage(await packFiles(pluginFiles()));
    const dir = await extractPackage(pkg, parent);
    expect((await readdir(parent)).length).toBe(1);
    expect(dir.startsWith(join(parent, 'keel-plugin-'))).toBe(true);
    for (const file of pluginFiles()) {
      expect((await readFile(join(dir, file.path))).equals(file.bytes)).toBe(true);
    }
    expect((await stat(join(dir, 'main.js'))).mode & 0o777).toBe(0o644);
  });

  it('writes nothing that escapes, even from a hand-made package, and leaves nothing behind', async () => {
    const pkg = await readPackage(await packFiles(pluginFiles()));
    const evil = { ...pkg, files: [...pkg.files, { path: '../escaped.txt', bytes: Buffer.from('x'), sha256: '' }] };
    await expect(extractPackage(evil, parent)).rejects.toMatchObject({ code: PluginPackageErrorCode.UnsafeEntry });
    expect(await readdir(parent)).toEqual([]);
  });
});
