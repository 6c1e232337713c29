import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { extractPackage, type PluginPackage } from '@keel/plugin-package';
import { AppConfig } from '../../config/app-config';
import type { PluginVersion } from './plugin-version.entity';

/** Written last into an unpacked version: a directory without it is an interrupted unpack. */
const MARKER = '.keel-unpacked';
const STAGING = '.staging';

/**
 * Installed versions unpacked on this machine under `PLUGIN_WORKING_DIR`, one directory per
 * version shared by every workspace that installed it. A version is unpacked into a staging
 * directory and renamed into place, so a reader sees either nothing or the whole version.
 */
@Injectable()
export class PluginFilesService {
  private readonly logger = new Logger(PluginFilesService.name);

  constructor(private readonly config: AppConfig) {}

  /** `<working dir>/<author>/<name>/<version>@<checksum>`. */
  directoryOf(version: Pick<PluginVersion, 'pluginId' | 'version' | 'checksum'>): string {
    const [author, name] = version.pluginId.split('/');
    return join(this.config.plugins.workingDir, author, name, `${version.version}@${version.checksum}`);
  }

  async isUnpacked(version: Pick<PluginVersion, 'pluginId' | 'version' | 'checksum'>): Promise<boolean> {
    return exists(join(this.directoryOf(version), MARKER));
  }

  /** Unpacks the version unless this machine has it already; returns its directory. */
  async ensureUnpacked(version: PluginVersion, pkg: PluginPackage): Promise<string> {
    const target = this.directoryOf(version);
    if (await exists(join(target, MARKER))) return target;
    const staging = join(this.config.plugins.workingDir, STAGING);
    await mkdir(staging, { recursive: true });
    const unpacked = await extractPackage(pkg, staging);
    try {
      await writeFile(join(unpacked, MARKER), `${version.uniqueIdentifier}\n`, { flag: 'wx' });
      await mkdir(join(target, '..'), { recursive: true });
      // Left over by an unpack that died before its marker was written.
      if ((await exists(target)) && !(await exists(join(target, MARKER)))) {
        await rm(target, { recursive: true, force: true });
      }
      await rename(unpacked, target);
    } catch (error) {
      await rm(unpacked, { recursive: true, force: true });
      // Another install of the same version won the rename: its copy is the same bytes.
      const marker = await readFile(join(target, MARKER), 'utf8').catch(() => '');
      if (marker.trim() !== version.uniqueIdentifier) throw error;
    }
    this.logger.log({ plugin: version.uniqueIdentifier }, 'plugin version unpacked');
    return target;
  }

  /** Removes this machine's copy of a version no workspace has installed any more. */
  async remove(version: Pick<PluginVersion, 'pluginId' | 'version' | 'checksum' | 'uniqueIdentifier'>): Promise<void> {
    await rm(this.directoryOf(version), { recursive: true, force: true });
    this.logger.log({ plugin: version.uniqueIdentifier }, 'plugin version removed from disk');
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
