import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { unsafePathReason } from './package-path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { PluginPackage } from './plugin-package.types';

/**
 * Writes a package that `readPackage` accepted into a new, empty directory created under
 * `parentDir` (default: the OS temp directory) and returns that directory. Every check already
 * passed before this is called, and the target is fresh, so nothing existing is overwritten or
 * followed; files are created exclusively (`wx`), mode 0644. The caller moves the directory where
 * it belongs (a rename on the same file system). On any failure the directory is removed.
 */
export async function extractPackage(pkg: PluginPackage, parentDir: string = tmpdir()): Promise<string> {
  const root = await mkdtemp(join(parentDir, 'keel-plugin-'));
  try {
    for (const file of pkg.files) {
      // Re-checked here so that a hand-built PluginPackage cannot escape either.
      const reason = unsafePathReason(file.path);
      const target = resolve(root, ...file.path.split('/'));
      if (reason || relative(root, target).startsWith(`..${sep}`)) {
        throw new PluginPackageError(
          PluginPackageErrorCode.UnsafeEntry,
          `Entry ${JSON.stringify(file.path)}: ${reason ?? 'it resolves outside the target directory'}.`,
          { path: file.path },
        );
      }
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, file.bytes, { flag: 'wx', mode: 0o644 });
    }
    return root;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
