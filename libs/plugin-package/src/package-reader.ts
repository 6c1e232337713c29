import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { fromBufferPromise, type ZipFile } from 'yauzl';
import { InflatedByteBudget } from './inflated-byte-budget';
import { assertManifestFiles } from './manifest-references';
import { computeChecksum, pluginIdOf, uniqueIdentifier } from './package-identity';
import { resolveLimits, type PackageLimits } from './package-limits';
import { parseManifest } from './plugin-manifest.schema';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { PackageFile, PluginPackage } from './plugin-package.types';
import { assertDistinctEntries, checkEntry, type CheckedEntry } from './zip-entry-guard';

export const MANIFEST_PATH = 'manifest.yaml';

const corrupt = (message: string, cause?: unknown, path?: string) =>
  new PluginPackageError(PluginPackageErrorCode.CorruptPackage, message, { path }, { cause });

const tooLarge = (bytes: number, limit: number) =>
  new PluginPackageError(
    PluginPackageErrorCode.PackageTooLarge,
    `The package is ${bytes} bytes; the limit is ${limit} bytes.`,
  );

/** The zip's bytes, refusing anything over the size limit before reading it. */
async function loadSource(source: Buffer | string, maxPackageBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(source)) {
    if (source.length > maxPackageBytes) throw tooLarge(source.length, maxPackageBytes);
    return source;
  }
  const info = await stat(source);
  if (!info.isFile()) throw corrupt('The package is not a regular file.');
  if (info.size > maxPackageBytes) throw tooLarge(info.size, maxPackageBytes);
  const buffer = await readFile(source);
  // The file may have grown since stat.
  if (buffer.length > maxPackageBytes) throw tooLarge(buffer.length, maxPackageBytes);
  return buffer;
}

async function openZip(buffer: Buffer): Promise<ZipFile> {
  try {
    // decodeStrings off: names are decoded and checked here (zip-entry-guard), never rewritten by
    // the library (it would turn backslashes into slashes). validateEntrySizes on: an entry that
    // inflates to more or fewer bytes than it declares is an error as soon as it happens.
    return await fromBufferPromise(buffer, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw corrupt(`The package is not a readable zip file: ${(error as Error).message}`, error);
  }
}

/** Every entry's metadata, checked, before a single byte is inflated. */
async function checkEntries(zip: ZipFile, limits: PackageLimits): Promise<CheckedEntry[]> {
  if (zip.entryCount > limits.maxEntries) {
    throw new PluginPackageError(
      PluginPackageErrorCode.TooManyEntries,
      `The package has ${zip.entryCount} entries; the limit is ${limits.maxEntries}.`,
    );
  }
  const checked: CheckedEntry[] = [];
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const item = checkEntry(entry);
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) {
        throw new PluginPackageError(
          PluginPackageErrorCode.UnpackedTooLarge,
          `The package declares more than ${limits.maxUnpackedBytes} unpacked bytes (the limit was passed at ${JSON.stringify(item.path)}).`,
          { path: item.path },
        );
      }
      checked.push(item);
    }
  } catch (error) {
    if (error instanceof PluginPackageError) throw error;
    throw corrupt(`The package's central directory is damaged: ${(error as Error).message}`, error);
  }
  assertDistinctEntries(checked);
  return checked;
}

/** One file's bytes, counted against the budget chunk by chunk, with its CRC-32 checked. */
async function inflate(zip: ZipFile, item: CheckedEntry, budget: InflatedByteBudget): Promise<Buffer> {
  const { entry, path } = item;
  const chunks: Buffer[] = [];
  let size = 0;
  let crc = 0;
  try {
    const stream = await zip.openReadStreamPromise(entry);
    // Leaving the loop by a throw destroys the stream, which stops the inflater.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.take(chunk.length, path);
      size += chunk.length;
      crc = crc32(chunk, crc);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof PluginPackageError) throw error;
    throw corrupt(`Entry ${JSON.stringify(path)} cannot be read: ${(error as Error).message}`, error, path);
  }
  if (crc !== entry.crc32) {
    throw corrupt(`Entry ${JSON.stringify(path)} does not match its CRC-32.`, undefined, path);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Reads a `.keelpkg` and refuses it unless every check passes: size, entry count, safe entry names
 * and kinds, inflated bytes (counted while streaming, stopped at the limit), CRCs, a valid
 * `manifest.yaml` and every file it names. Nothing is written anywhere: the files stay in memory
 * (at most `maxUnpackedBytes`) until `extractPackage` writes them.
 */
export async function readPackage(
  source: Buffer | string,
  limits: Partial<PackageLimits> = {},
): Promise<PluginPackage> {
  const resolved = resolveLimits(limits);
  const buffer = await loadSource(source, resolved.maxPackageBytes);
  const zip = await openZip(buffer);
  // The library reports failures as events; one stray event must never crash the process.
  zip.on('error', () => undefined);
  try {
    const entries = await checkEntries(zip, resolved);
    if (!entries.some((item) => !item.isDirectory && item.path === MANIFEST_PATH)) {
      throw new PluginPackageError(
        PluginPackageErrorCode.ManifestMissing,
        `The package has no ${MANIFEST_PATH} at its root.`,
        { path: MANIFEST_PATH },
      );
    }
    const budget = new InflatedByteBudget(resolved.maxUnpackedBytes);
    const files: PackageFile[] = [];
    for (const item of entries) {
      if (item.isDirectory) continue;
      const bytes = await inflate(zip, item, budget);
      files.push({ path: item.path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const manifestFile = files.find((file) => file.path === MANIFEST_PATH);
    const manifest = parseManifest(manifestFile!.bytes.toString('utf8'));
    const paths = new Set(files.map((file) => file.path));
    assertManifestFiles(manifest, (path) => paths.has(path));
    const checksum = computeChecksum(files);
    return {
      manifest,
      files,
      checksum,
      uniqueIdentifier: uniqueIdentifier(manifest, checksum),
      pluginId: pluginIdOf(manifest),
      // With decodeStrings off the comment is the raw bytes (typed as a string by @types/yauzl).
      comment: Buffer.from(zip.comment as unknown as Uint8Array).toString('utf8'),
      packageBytes: buffer.length,
      unpackedBytes: budget.total,
    };
  } finally {
    zip.close();
  }
}
