import { Injectable } from '@nestjs/common';
import semver from 'semver';
import { ApiException } from '../../common/errors/api.exception';
import { errorMessage } from '../../common/errors/error-message';
import { unmetDependencies } from './plugin-dependencies';
import { PluginFilesService } from './plugin-files.service';
import { type InstalledPlugin, PluginInstallationsService } from './plugin-installations.service';
import { PluginInstallerService } from './plugin-installer.service';
import { PluginPackagesService } from './plugin-packages.service';
import { PluginRuntimeService } from './plugin-runtime.service';

/**
 * Moves a workspace's installation to another uploaded version without losing a call: the new
 * version is checked, unpacked and started first (a failed start leaves the old one serving), new
 * calls then go to it, and the old process stops once its calls in flight have finished.
 */
@Injectable()
export class PluginUpgradeService {
  constructor(
    private readonly packages: PluginPackagesService,
    private readonly files: PluginFilesService,
    private readonly installer: PluginInstallerService,
    private readonly installations: PluginInstallationsService,
    private readonly runtime: PluginRuntimeService,
  ) {}

  async upgrade(
    workspaceId: string,
    originalIdentifier: string,
    newIdentifier: string,
  ): Promise<{ from: InstalledPlugin; to: InstalledPlugin }> {
    const installed = await this.installer.installed(workspaceId);
    const from = [...installed.values()].find((i) => i.installation.pluginUniqueIdentifier === originalIdentifier);
    if (!from) {
      throw new ApiException(
        404,
        'plugin_installation_not_found',
        `${originalIdentifier} is not installed in this workspace.`,
      );
    }
    const next = await this.packages.findByIdentifier(newIdentifier);
    if (!next)
      throw new ApiException(404, 'plugin_not_found', `No uploaded package ${newIdentifier}: upload it first.`);
    if (next.pluginId !== from.version.pluginId) {
      throw new ApiException(400, 'invalid_param', `${newIdentifier} is not a version of ${from.version.pluginId}.`);
    }
    if (next.id === from.version.id) {
      throw new ApiException(400, 'invalid_param', `${originalIdentifier} is already the installed version.`);
    }
    const available = new Map([...installed].map(([id, { version }]) => [id, version.version]));
    available.set(next.pluginId, next.version);
    const unmet = unmetDependencies(next.manifest, available);
    if (unmet.length > 0) {
      throw new ApiException(
        400,
        'plugin_dependency_unmet',
        `${next.pluginId} ${next.version} needs: ${unmet.join('; ')}.`,
      );
    }
    const broken = [...installed.values()].filter(({ version }) =>
      version.manifest.dependencies.some(
        (dep) =>
          dep.plugin === next.pluginId && !semver.satisfies(next.version, dep.version, { includePrerelease: true }),
      ),
    );
    if (broken.length > 0) {
      throw new ApiException(
        400,
        'plugin_in_use',
        `${broken.map((b) => b.version.pluginId).join(', ')} need ${next.pluginId} in a range ${next.version} is outside of.`,
      );
    }

    const { pkg } = await this.packages.load(next);
    await this.files.ensureUnpacked(next, pkg);
    try {
      await this.runtime.start(next);
    } catch (error) {
      await this.runtime.stopUnused();
      throw new ApiException(
        502,
        'plugin_start_failed',
        `${newIdentifier} did not start, so ${originalIdentifier} stays installed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const to = await this.installations.switchVersion(from.installation, next);
    await this.runtime.stopUnused();
    return { from, to };
  }
}
