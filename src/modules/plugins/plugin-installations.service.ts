import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { isUuid } from '../../common/validation/uuid';
import { dependentsOf } from './plugin-dependencies';
import { PluginFilesService } from './plugin-files.service';
import { PluginInstallation } from './plugin-installation.entity';
import { PluginVersion } from './plugin-version.entity';

export interface InstalledPlugin {
  installation: PluginInstallation;
  version: PluginVersion;
}

/** A workspace's installed plugins: listed, enabled or disabled, uninstalled. */
@Injectable()
export class PluginInstallationsService {
  private readonly logger = new Logger(PluginInstallationsService.name);

  constructor(
    private readonly files: PluginFilesService,
    @InjectRepository(PluginVersion) private readonly versions: Repository<PluginVersion>,
    @InjectRepository(PluginInstallation) private readonly installations: Repository<PluginInstallation>,
  ) {}

  /** One page of the workspace's plugins by plugin id, and how many there are. */
  async page(
    workspaceId: string,
    page: number,
    pageSize: number,
  ): Promise<{ plugins: InstalledPlugin[]; total: number }> {
    const [rows, total] = await this.installations.findAndCount({
      where: { workspaceId },
      order: { pluginId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { plugins: await this.withVersions(rows), total };
  }

  /** The workspace's enabled installations with their versions (what its apps can use). */
  async enabled(workspaceId: string): Promise<InstalledPlugin[]> {
    return this.withVersions(await this.installations.findBy({ workspaceId, enabled: true }));
  }

  /** The workspace's installation of one plugin, when it is installed and enabled (one query, for the call paths). */
  async enabledPlugin(workspaceId: string, pluginId: string): Promise<InstalledPlugin | undefined> {
    const installation = await this.installations.findOneBy({ workspaceId, pluginId, enabled: true });
    if (!installation) return undefined;
    return { installation, version: await this.versions.findOneByOrFail({ id: installation.versionId }) };
  }

  /** Every installation of the workspace, enabled or not, with its version. */
  async all(workspaceId: string): Promise<InstalledPlugin[]> {
    return this.withVersions(await this.installations.findBy({ workspaceId }));
  }

  /** The versions installed in any workspace (what this machine may have to run). */
  async installedVersions(): Promise<PluginVersion[]> {
    const rows = await this.installations.find({ select: { versionId: true } });
    const ids = [...new Set(rows.map((r) => r.versionId))];
    return ids.length ? this.versions.findBy({ id: In(ids) }) : [];
  }

  /** The installation with this id in the workspace, or 404. */
  async find(workspaceId: string, installationId: string): Promise<InstalledPlugin> {
    const installation = isUuid(installationId)
      ? await this.installations.findOneBy({ id: installationId, workspaceId })
      : null;
    if (!installation) {
      throw new ApiException(404, 'plugin_installation_not_found', 'This plugin is not installed in this workspace.');
    }
    return { installation, version: await this.versions.findOneByOrFail({ id: installation.versionId }) };
  }

  /** Points the installation at another version of its plugin (an upgrade or a downgrade). */
  async switchVersion(installation: PluginInstallation, version: PluginVersion): Promise<InstalledPlugin> {
    const updatedAt = new Date();
    await this.installations.update(
      { id: installation.id },
      { versionId: version.id, pluginUniqueIdentifier: version.uniqueIdentifier, updatedAt },
    );
    return {
      installation: {
        ...installation,
        versionId: version.id,
        pluginUniqueIdentifier: version.uniqueIdentifier,
        updatedAt,
      },
      version,
    };
  }

  async setEnabled(workspaceId: string, installationId: string, enabled: boolean): Promise<InstalledPlugin> {
    const found = await this.find(workspaceId, installationId);
    if (found.installation.enabled !== enabled) {
      const updatedAt = new Date();
      await this.installations.update({ id: installationId }, { enabled, updatedAt });
      found.installation = { ...found.installation, enabled, updatedAt };
    }
    return found;
  }

  /**
   * Removes the installation, refused while another installed plugin of the workspace depends on
   * it. This machine's copy of the version goes when no workspace has it any more; the package
   * itself stays uploaded, so it can be installed again without a new upload.
   */
  async uninstall(workspaceId: string, installationId: string): Promise<InstalledPlugin> {
    const found = await this.find(workspaceId, installationId);
    const others = await this.all(workspaceId);
    const dependents = dependentsOf(
      found.installation.pluginId,
      others.map((o) => ({ pluginId: o.installation.pluginId, manifest: o.version.manifest })),
    );
    if (dependents.length > 0) {
      throw new ApiException(
        400,
        'plugin_in_use',
        `${found.installation.pluginId} is needed by ${dependents.join(', ')}; uninstall ${dependents.length > 1 ? 'them' : 'it'} first.`,
      );
    }
    await this.installations.delete({ id: installationId, workspaceId });
    if ((await this.installations.countBy({ versionId: found.version.id })) === 0) {
      await this.files.remove(found.version).catch((error: unknown) => {
        this.logger.warn({ err: error, plugin: found.version.uniqueIdentifier }, 'unpacked plugin not removed');
      });
    }
    return found;
  }

  private async withVersions(rows: PluginInstallation[]): Promise<InstalledPlugin[]> {
    if (rows.length === 0) return [];
    const versions = await this.versions.findBy({ id: In([...new Set(rows.map((r) => r.versionId))]) });
    const byId = new Map(versions.map((v) => [v.id, v]));
    return rows.map((installation) => ({ installation, version: byId.get(installation.versionId)! }));
  }
}
