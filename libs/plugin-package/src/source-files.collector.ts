import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { resolveLimits, type PackageLimits } from './package-limits';
import { unsafePathReason } from './package-path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import { looksLikePrivateKey } from './private-key-detector';

/** A file to pack: its path inside the package and its bytes. */
export interface SourceFile {
  path: string;
  bytes: Buffer;
}

export interface CollectOptions {
  /** Leave out more paths (package-relative, `/`-separated; directories as their path). */
  ignore?: (path: string) => boolean;
  limits?: Partial<PackageLimits>;
}

/** Never packed: version control, caches, Finder litter, earlier packages. */
function skippedByDefault(path: string, name: string): boolean {
  return (
    name === '.git' || name === '.DS_Store' || name.endsWith('.keelpkg') || /(^|\/)node_modules\/\.cache$/.test(path)
  );
}

const refuse = (path: string, message: string) =>
  new PluginPackageError(PluginPackageErrorCode.UnsafeSource, `${path}: ${message}.`, { path });

export function assertNotPrivateKey(path: string, bytes: Buffer): void {
  if (!looksLikePrivateKey(path, bytes)) return;
  throw new PluginPackageError(
    PluginPackageErrorCode.PrivateKeyInPackage,
    `${path} looks like a PEM private key; refusing to pack it. Keep signing keys outside the plugin directory.`,
    { path },
  );
}

const isInside = (root: string, target: string) => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

/**
 * The files of a plugin directory, in sorted order, read into memory within the limits. Symbolic
 * links are followed only when they resolve inside the directory (packed as the file they lead
 * to; node_modules/.bin and pnpm layouts work); a link leading outside, a broken link, a loop or
 * anything but files and directories is refused. A file that looks like a private key is refused.
 */
export async function collectDirectory(dir: string, options: CollectOptions = {}): Promise<SourceFile[]> {
  const limits = resolveLimits(options.limits);
  const root = await realpath(dir);
  const files: SourceFile[] = [];
  let bytes = 0;

  // realDir: the directory's real path (symlinks resolved), so that loops are seen at once.
  const walk = async (relDir: string, realDir: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const entries: Dirent[] = await readdir(realDir, { withFileTypes: true });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const entry of entries) {
      const path = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (skippedByDefault(path, entry.name) || options.ignore?.(path)) continue;
      const reason = unsafePathReason(path);
      if (reason) throw refuse(path, `a package cannot hold this name (${reason})`);
      let real = join(realDir, entry.name);
      if (entry.isSymbolicLink()) {
        real = await realpath(real).catch(() => {
          throw refuse(path, 'the symbolic link is broken');
        });
        if (!isInside(root, real)) throw refuse(path, 'the symbolic link leads outside the plugin directory');
      }
      const info = entry.isSymbolicLink() ? await stat(real) : await lstat(real);
      if (info.isDirectory()) {
        if (ancestors.has(real)) throw refuse(path, 'the symbolic link makes a loop');
        await walk(path, real, new Set([...ancestors, real]));
      } else if (info.isFile()) {
        if (files.length + 1 > limits.maxEntries) {
          throw new PluginPackageError(
            PluginPackageErrorCode.TooManyEntries,
            `The directory has more than ${limits.maxEntries} files.`,
          );
        }
        bytes += info.size;
        if (bytes > limits.maxUnpackedBytes) {
          throw new PluginPackageError(
            PluginPackageErrorCode.UnpackedTooLarge,
            `The directory holds more than ${limits.maxUnpackedBytes} bytes (the limit was passed at ${path}).`,
            { path },
          );
        }
        const content = await readFile(real);
        assertNotPrivateKey(path, content);
        files.push({ path, bytes: content });
      } else {
        throw refuse(path, 'not a regular file or directory');
      }
    }
  };

  await walk('', root, new Set([root]));
  return files;
}
