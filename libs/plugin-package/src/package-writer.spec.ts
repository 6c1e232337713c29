import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ZipFile } from 'yazl';
import { manifestData, pluginFiles } from './package-fixtures.spec-support';
import { computeChecksum, sha256Hex } from './package-identity';
import { readPackage } from './package-reader';
import { packDirectory, packFiles } from './package-writer';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { SourceFile } from './source-files.collector';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'keel-writer-'));
  dir = join(root, 'plugin');
  await writeTree(dir, pluginFiles());
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function writeTree(base: string, files: readonly SourceFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(base, file.path)), { recursive: true });
    await writeFile(join(base, file.path), file.bytes);
  }
}

const ed25519PrivatePem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

async function refusal(run: () => Promise<unknown>): Promise<PluginPackageError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PluginPackageError) return error;
    throw error;
  }
  throw new Error('packing succeeded');
}

/** The same files zipped by plain yazl in the given order, with today's timestamps. */
function plainZip(files: readonly SourceFile[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const file of files) zip.addBuffer(file.bytes, file.path, { compress: false });
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('packDirectory', () => {
  it('round-trips: the reader finds every file, the checksum and the identifier', async () => {
    const pkg = await readPackage(await packDirectory(dir));
    const files = pluginFiles();
    expect(pkg.files.map((file) => file.path)).toEqual(files.map((file) => file.path).sort());
    const expected = computeChecksum(files.map((file) => ({ path: file.path, sha256: sha256Hex(file.bytes) })));
    expect(pkg.checksum).toBe(expected);
    expect(pkg.uniqueIdentifier).toBe(`acme/echo_tools:1.2.3@${expected}`);
  });

  it('is deterministic: same files, same bytes, whatever the mtimes', async () => {
    const first = await packDirectory(dir);
    await utimes(join(dir, 'main.js'), new Date('2001-02-03'), new Date('2001-02-03'));
    const second = await packDirectory(dir);
    expect(second.equals(first)).toBe(true);
  });

  it('gives the checksum of the contents, not of the zip: another zipper, another order, same checksum', async () => {
    const ours = await readPackage(await packDirectory(dir));
    const theirs = await readPackage(await plainZip([...pluginFiles()].reverse()));
    expect(theirs.checksum).toBe(ours.checksum);
    const changed = pluginFiles().map((file) =>
      file.path === 'main.js' ? { ...file, bytes: Buffer.from('changed') } : file,
    );
    expect((await readPackage(await plainZip(changed))).checksum).not.toBe(ours.checksum);
  });

  it('leaves out .git, node_modules/.cache, .DS_Store and earlier packages', async () => {
    await writeTree(dir, [
      { path: '.git/HEAD', bytes: Buffer.from('ref: refs/heads/main') },
      { path: 'node_modules/.cache/x', bytes: Buffer.from('cache') },
      { path: '.DS_Store', bytes: Buffer.from('x') },
      { path: 'old.keelpkg', bytes: Buffer.from('x') },
    ]);
    const paths = (await readPackage(await packDirectory(dir))).files.map((file) => file.path);
    expect(paths.filter((path) => /\.git|\.cache|DS_Store|keelpkg/.test(path))).toEqual([]);
    expect(paths).toContain('node_modules/dep/index.js');
  });

  it('refuses to pack a private key, naming the file', async () => {
    await writeFile(join(dir, 'signing.pem'), ed25519PrivatePem());
    const error = await refusal(() => packDirectory(dir));
    expect(error.code).toBe(PluginPackageErrorCode.PrivateKeyInPackage);
    expect(error.message).toMatch(/^signing\.pem looks like a PEM private key/);
  });

  it('refuses a private key under any name, but packs a public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(packDirectory(dir)).resolves.toBeInstanceOf(Buffer);
    await writeFile(join(dir, 'id'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
    expect((await refusal(() => packDirectory(dir))).details.path).toBe('id');
  });

  it('follows a symlink inside the directory and refuses one leading outside', async () => {
    await symlink('main.js', join(dir, 'alias.js'));
    const pkg = await readPackage(await packDirectory(dir));
    expect(pkg.files.find((file) => file.path === 'alias.js')?.bytes.toString()).toContain('hello');

    await writeFile(join(root, 'outside.txt'), 'secret');
    await symlink('../outside.txt', join(dir, 'leak.txt'));
    const error = await refusal(() => packDirectory(dir));
    expect(error.code).toBe(PluginPackageErrorCode.UnsafeSource);
    expect(error.message).toBe('leak.txt: the symbolic link leads outside the plugin directory.');
  });

  it('refuses a symlink loop', async () => {
    await symlink('..', join(dir, 'provider', 'up'));
    expect((await refusal(() => packDirectory(dir))).message).toBe('provider/up: the symbolic link makes a loop.');
  });

  it('checks the manifest and the files it names before writing anything', async () => {
    await rm(join(dir, 'main.js'));
    const missing = await refusal(() => packDirectory(dir));
    expect(missing.code).toBe(PluginPackageErrorCode.MissingFile);
    expect(missing.message).toBe('meta.runner.entrypoint: main.js is not in the package');

    const broken = pluginFiles({ ...manifestData(), version: 'latest' });
    expect((await refusal(() => packFiles(broken))).message).toBe('version: must be a semantic version such as 1.2.3');
  });

  it('refuses to go over the limits', async () => {
    expect((await refusal(() => packDirectory(dir, { limits: { maxEntries: 3 } }))).code).toBe(
      PluginPackageErrorCode.TooManyEntries,
    );
    expect((await refusal(() => packDirectory(dir, { limits: { maxUnpackedBytes: 64 } }))).code).toBe(
      PluginPackageErrorCode.UnpackedTooLarge,
    );
    expect((await refusal(() => packFiles(pluginFiles(), { limits: { maxPackageBytes: 200 } }))).code).toBe(
      PluginPackageErrorCode.PackageTooLarge,
    );
  });

  it('refuses names a package cannot hold', async () => {
    const files = [...pluginFiles(), { path: 'a\\b.js', bytes: Buffer.from('x') }];
    expect((await refusal(() => packFiles(files))).message).toBe(
      'a\\b.js: a package cannot hold this name (the name contains a backslash).',
    );
    const cased = [...pluginFiles(), { path: 'Main.js', bytes: Buffer.from('x') }];
    expect((await refusal(() => packFiles(cased))).code).toBe(PluginPackageErrorCode.UnsafeSource);
  });
});
