import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type zlib from 'node:zlib';
import { computeChecksum } from './package-identity';
import { craftedFrom, craftZip, deflateBomb, pluginFiles, type CraftedEntry } from './package-fixtures.spec-support';
import { readPackage } from './package-reader';
import { packFiles } from './package-writer';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { PackageLimits } from './package-limits';

async function refusal(zip: Buffer | string, limits?: Partial<PackageLimits>): Promise<PluginPackageError> {
  try {
    await readPackage(zip, limits);
  } catch (error) {
    if (error instanceof PluginPackageError) return error;
    throw error;
  }
  throw new Error('the package was accepted');
}

/** A valid plugin's entries plus `extra`. */
const withEntries = (...extra: CraftedEntry[]) => craftZip([...craftedFrom(pluginFiles()), ...extra]);

describe('readPackage', () => {
  it('reads a valid package: manifest, files in zip order with their hashes, identity', async () => {
    const files = pluginFiles();
    const pkg = await readPackage(craftZip(craftedFrom(files)));
    expect(pkg.manifest.name).toBe('echo_tools');
    expect(pkg.files.map((file) => file.path)).toEqual(files.map((file) => file.path));
    expect(pkg.files[3].bytes.equals(files[3].bytes)).toBe(true);
    expect(pkg.checksum).toBe(computeChecksum(pkg.files));
    expect(pkg.uniqueIdentifier).toBe(`acme/echo_tools:1.2.3@${pkg.checksum}`);
    expect(pkg.pluginId).toBe('acme/echo_tools');
    expect(pkg.comment).toBe('');
    expect(pkg.unpackedBytes).toBe(files.reduce((sum, file) => sum + file.bytes.length, 0));
  });

  it('skips directory entries (they are not files and not in the checksum)', async () => {
    const plain = await readPackage(withEntries());
    const withDirectory = await readPackage(withEntries({ name: 'empty/', externalAttributes: 0o40755 << 16 }));
    expect(withDirectory.files.map((file) => file.path)).not.toContain('empty');
    expect(withDirectory.checksum).toBe(plain.checksum);
  });

  it.each([
    ['../evil', 'the path has a "." or ".." segment'],
    ['provider/../../evil', 'the path has a "." or ".." segment'],
    ['/etc/cron.d/evil', 'the path is absolute'],
    ['..\\evil', 'the name contains a backslash'],
    ['C:/Windows/evil', 'the path starts with a drive letter'],
    ['a//b', 'the path has an empty segment'],
    ['evil\u0000.js', 'the name contains a NUL or control character'],
  ])('refuses the entry %j', async (name, why) => {
    const error = await refusal(withEntries({ name, data: Buffer.from('x') }));
    expect(error.code).toBe(PluginPackageErrorCode.UnsafeEntry);
    expect(error.message).toBe(`Entry ${JSON.stringify(name)}: ${why}.`);
  });

  it('refuses a symlink entry by its Unix mode', async () => {
    const error = await refusal(
      withEntries({ name: 'link', data: Buffer.from('/etc/passwd'), externalAttributes: 0o120777 << 16 }),
    );
    expect(error.code).toBe(PluginPackageErrorCode.UnsafeEntry);
    expect(error.message).toBe('Entry "link": it is a symbolic link.');
  });

  it.each([
    ['a FIFO', 0o010644],
    ['a character device', 0o020644],
    ['a socket', 0o140644],
  ])('refuses %s', async (_kind, mode) => {
    const error = await refusal(
      withEntries({ name: 'odd', data: Buffer.from('x'), externalAttributes: (mode << 16) >>> 0 }),
    );
    expect(error.message).toMatch(/^Entry "odd": it is not a regular file or directory \(mode 0o\d+\)\.$/);
  });

  it('refuses duplicate names, case collisions and entries under a file', async () => {
    const duplicate = await refusal(withEntries({ name: 'main.js', data: Buffer.from('evil()') }));
    expect(duplicate.message).toBe('Entry "main.js": the name appears twice.');
    const cased = await refusal(withEntries({ name: 'MAIN.js', data: Buffer.from('evil()') }));
    expect(cased.message).toContain('collides with "main.js"');
    const under = await refusal(withEntries({ name: 'main.js/x', data: Buffer.from('x') }));
    expect(under.message).toContain('is inside "main.js", which is a file');
  });

  it('refuses encrypted entries', async () => {
    // Traditional PKWARE encryption: a 12-byte header before the (here stored) data.
    const raw = Buffer.concat([Buffer.alloc(12), Buffer.from('x')]);
    const error = await refusal(withEntries({ name: 'secret.js', raw, method: 0, declaredSize: 1, flags: 0x801 }));
    expect(error.code).toBe(PluginPackageErrorCode.EncryptedEntry);
  });

  it('refuses names that are not UTF-8', async () => {
    const error = await refusal(
      withEntries({ name: Buffer.from([0x66, 0xff, 0x2e, 0x6a, 0x73]), data: Buffer.from('x') }),
    );
    expect(error.code).toBe(PluginPackageErrorCode.UnsafeEntry);
  });

  it('refuses a package over the size limit before reading it (buffer and file)', async () => {
    const zip = withEntries();
    const error = await refusal(zip, { maxPackageBytes: zip.length - 1 });
    expect(error.code).toBe(PluginPackageErrorCode.PackageTooLarge);
    expect(error.message).toBe(`The package is ${zip.length} bytes; the limit is ${zip.length - 1} bytes.`);

    const dir = await mkdtemp(join(tmpdir(), 'keel-reader-'));
    try {
      await writeFile(join(dir, 'big.keelpkg'), zip);
      expect((await refusal(join(dir, 'big.keelpkg'), { maxPackageBytes: 100 })).code).toBe(
        PluginPackageErrorCode.PackageTooLarge,
      );
      expect((await readPackage(join(dir, 'big.keelpkg'))).manifest.name).toBe('echo_tools');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses more entries than the limit', async () => {
    const zip = withEntries();
    const error = await refusal(zip, { maxEntries: 5 });
    expect(error.code).toBe(PluginPackageErrorCode.TooManyEntries);
    expect(error.message).toBe('The package has 6 entries; the limit is 5.');
    await expect(readPackage(zip, { maxEntries: 6 })).resolves.toBeDefined();
  });

  it('refuses what is not a zip, and entries whose CRC does not match', async () => {
    expect((await refusal(Buffer.from('not a zip at all, not even close'))).code).toBe(
      PluginPackageErrorCode.CorruptPackage,
    );
    const bad = await refusal(withEntries({ name: 'x.js', data: Buffer.from('x'), crc: 12345 }));
    expect(bad.code).toBe(PluginPackageErrorCode.CorruptPackage);
    expect(bad.message).toBe('Entry "x.js" does not match its CRC-32.');
  });

  it('refuses a package without manifest.yaml', async () => {
    const files = pluginFiles().filter((file) => file.path !== 'manifest.yaml');
    const error = await refusal(craftZip(craftedFrom(files)));
    expect(error.code).toBe(PluginPackageErrorCode.ManifestMissing);
  });

  it('refuses a package missing a file the manifest names', async () => {
    const files = pluginFiles().filter((file) => file.path !== 'provider/echo.yaml');
    const error = await refusal(craftZip(craftedFrom(files)));
    expect(error.code).toBe(PluginPackageErrorCode.MissingFile);
    expect(error.message).toBe('plugins.tools[0]: provider/echo.yaml is not in the package');
    expect(error.details).toMatchObject({ field: 'plugins.tools[0]', path: 'provider/echo.yaml' });
  });

  it('finds the icon under _assets/ (Dify) or at the path written', async () => {
    const atRoot = pluginFiles().map((file) =>
      file.path === '_assets/icon.svg' ? { ...file, path: 'icon.svg' } : file,
    );
    await expect(readPackage(craftZip(craftedFrom(atRoot)))).resolves.toBeDefined();
    const none = pluginFiles().filter((file) => file.path !== '_assets/icon.svg');
    expect((await refusal(craftZip(craftedFrom(none)))).message).toBe(
      'icon: _assets/icon.svg or icon.svg is not in the package',
    );
  });

  it('reads what the writer packs', async () => {
    const pkg = await readPackage(await packFiles(pluginFiles()));
    expect(pkg.files).toHaveLength(pluginFiles().length);
  });

  describe('zip bombs', () => {
    const MiB = 1024 * 1024;
    let inflaters: zlib.InflateRaw[];

    // The zip library calls zlib.createInflateRaw() per entry; a wrapper keeps every inflater it
    // makes. (The export is read-only but configurable, so jest.spyOn cannot replace it.)
    const zlibModule = jest.requireActual<typeof zlib>('zlib');
    const original = Object.getOwnPropertyDescriptor(zlibModule, 'createInflateRaw')!;
    beforeEach(() => {
      inflaters = [];
      const real = zlibModule.createInflateRaw;
      Object.defineProperty(zlibModule, 'createInflateRaw', {
        ...original,
        value: (options?: zlib.ZlibOptions) => {
          const inflater = real(options);
          inflaters.push(inflater);
          return inflater;
        },
      });
    });
    afterEach(() => Object.defineProperty(zlibModule, 'createInflateRaw', original));

    /** Compressed bytes the inflaters were fed: how far inflation got. */
    const consumed = () => inflaters.reduce((sum, inflater) => sum + inflater.bytesWritten, 0);

    it('refuses a bomb that declares its size without inflating anything', async () => {
      const raw = deflateBomb(1024); // 1 GiB of zeros from ~1 MiB
      const error = await refusal(withEntries({ name: 'bomb.bin', raw, declaredSize: 1024 * MiB, crc: 0 }), {
        maxUnpackedBytes: 4 * MiB,
      });
      expect(error.code).toBe(PluginPackageErrorCode.UnpackedTooLarge);
      expect(error.message).toContain('declares more than 4194304 unpacked bytes');
      expect(inflaters).toHaveLength(0);
    });

    it('stops a bomb that lies about its size as soon as it inflates past it', async () => {
      const raw = deflateBomb(1024);
      const error = await refusal(withEntries({ name: 'bomb.bin', raw, declaredSize: 1000, crc: 0 }), {
        maxUnpackedBytes: 4 * MiB,
      });
      expect(error.code).toBe(PluginPackageErrorCode.CorruptPackage);
      expect(error.message).toMatch(/^Entry "bomb\.bin" cannot be read: too many bytes in the stream/);
      // The inflater got through a sliver of the ~1 MiB of compressed data (under 1%).
      expect(inflaters.length).toBeGreaterThan(0);
      expect(consumed()).toBeLessThan(raw.length / 100);
    });

    it('refuses entries whose declared sizes add up past the limit, before inflating any', async () => {
      const raw = deflateBomb(1);
      const entries = Array.from({ length: 8 }, (_, index) => ({
        name: `blob${index}.bin`,
        raw,
        declaredSize: MiB,
        crc: 0,
      }));
      const error = await refusal(withEntries(...entries), { maxUnpackedBytes: 8 * MiB - 1 });
      expect(error.code).toBe(PluginPackageErrorCode.UnpackedTooLarge);
      expect(inflaters).toHaveLength(0);
    });
  });
});
