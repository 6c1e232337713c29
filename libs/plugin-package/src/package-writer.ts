import { ZipFile } from 'yazl';
import { assertManifestFiles } from './manifest-references';
import { resolveLimits, type PackageLimits } from './package-limits';
import { unsafePathReason } from './package-path';
import { MANIFEST_PATH } from './package-reader';
import { parseManifest } from './plugin-manifest.schema';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import { assertNotPrivateKey, collectDirectory, type CollectOptions, type SourceFile } from './source-files.collector';
import { findEntryCollision } from './zip-entry-guard';

/** Every entry's time: the earliest DOS date, in local time as DOS dates are, so the bytes never depend on the clock or zone. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

export interface PackOptions {
  limits?: Partial<PackageLimits>;
}

const unsafeSource = (path: string, message: string) =>
  new PluginPackageError(PluginPackageErrorCode.UnsafeSource, `${path}: ${message}.`, { path });

/** The same refusals the reader would make, made before anything is written. */
function assertPackable(files: readonly SourceFile[], limits: PackageLimits): void {
  for (const file of files) {
    const reason = unsafePathReason(file.path);
    if (reason) throw unsafeSource(file.path, `a package cannot hold this name (${reason})`);
    assertNotPrivateKey(file.path, file.bytes);
  }
  const collision = findEntryCollision(files.map((file) => ({ path: file.path, isDirectory: false })));
  if (collision) throw unsafeSource(collision.path, collision.reason);
  if (files.length > limits.maxEntries) {
    throw new PluginPackageError(
      PluginPackageErrorCode.TooManyEntries,
      `${files.length} files; a package holds at most ${limits.maxEntries}.`,
    );
  }
  const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (total > limits.maxUnpackedBytes) {
    throw new PluginPackageError(
      PluginPackageErrorCode.UnpackedTooLarge,
      `The files hold ${total} bytes; a package holds at most ${limits.maxUnpackedBytes}.`,
    );
  }
  const manifest = files.find((file) => file.path === MANIFEST_PATH);
  if (!manifest) {
    throw new PluginPackageError(PluginPackageErrorCode.ManifestMissing, `There is no ${MANIFEST_PATH} at the root.`, {
      path: MANIFEST_PATH,
    });
  }
  const paths = new Set(files.map((file) => file.path));
  assertManifestFiles(parseManifest(manifest.bytes.toString('utf8')), (path) => paths.has(path));
}

function zipToBuffer(zip: ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

/**
 * Zips files into a package, deterministically: entries sorted by the UTF-8 bytes of their paths,
 * one fixed timestamp, mode 0644, deflated, no directory entries, no comment (signing adds it).
 * The manifest, the files it names, the names and the limits are checked first, as the reader
 * will check them.
 */
export async function packFiles(files: readonly SourceFile[], options: PackOptions = {}): Promise<Buffer> {
  const limits = resolveLimits(options.limits);
  assertPackable(files, limits);
  const zip = new ZipFile();
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (const file of sorted) {
    zip.addBuffer(file.bytes, file.path, {
      mtime: FIXED_MTIME,
      mode: FILE_MODE,
      compress: true,
      forceDosTimestamp: true,
    });
  }
  const packed = await zipToBuffer(zip);
  if (packed.length > limits.maxPackageBytes) {
    throw new PluginPackageError(
      PluginPackageErrorCode.PackageTooLarge,
      `The package would be ${packed.length} bytes; the limit is ${limits.maxPackageBytes} bytes.`,
    );
  }
  return packed;
}

/** `collectDirectory` then `packFiles`: a plugin directory as a `.keelpkg`. */
export async function packDirectory(
  dir: string,
  options: PackOptions & Pick<CollectOptions, 'ignore'> = {},
): Promise<Buffer> {
  return packFiles(await collectDirectory(dir, options), options);
}
