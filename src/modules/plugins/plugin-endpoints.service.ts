import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApiException } from '../../common/errors/api.exception';
import { isUuid } from '../../common/validation/uuid';
import { maskCredentials } from '../providers/credential.masker';
import { CredentialCipher } from '../providers/credential.cipher';
import type { PluginEndpointSetting } from './plugin-endpoint-definitions';
import { PluginEndpoint } from './plugin-endpoint.entity';
import { type InstalledPlugin, PluginInstallationsService } from './plugin-installations.service';
import { PluginRuntimeService } from './plugin-runtime.service';

const notFound = () => new ApiException(404, 'not_found', 'No such endpoint in this workspace.');

/**
 * A workspace's endpoints: set up from an installed endpoint plugin with the settings its YAML
 * asks for (sealed at rest, secrets masked when listed), enabled, disabled, removed; and found by
 * their hook id for `/e/…`.
 */
@Injectable()
export class PluginEndpointsService {
  constructor(
    private readonly installations: PluginInstallationsService,
    private readonly runtime: PluginRuntimeService,
    private readonly cipher: CredentialCipher,
    @InjectRepository(PluginEndpoint) private readonly endpoints: Repository<PluginEndpoint>,
  ) {}

  async setup(
    workspaceId: string,
    accountId: string,
    input: { plugin_unique_identifier: string; name: string; settings: Record<string, unknown> },
  ): Promise<PluginEndpoint> {
    const installed = (await this.installations.enabled(workspaceId)).find(
      (i) => i.installation.pluginUniqueIdentifier === input.plugin_unique_identifier,
    );
    if (!installed) {
      throw new ApiException(
        404,
        'plugin_installation_not_found',
        `${input.plugin_unique_identifier} is not installed (and enabled) in this workspace.`,
      );
    }
    const settings = await this.checkedSettings(installed, input.settings);
    const now = new Date();
    const endpoint: PluginEndpoint = {
      id: randomUUID(),
      workspaceId,
      pluginId: installed.installation.pluginId,
      hookId: randomBytes(16).toString('hex'),
      name: input.name,
      encryptedSettings: this.cipher.encrypt(settings),
      enabled: true,
      createdBy: accountId,
      createdAt: now,
      updatedAt: now,
    };
    await this.endpoints.insert(endpoint as QueryDeepPartialEntity<PluginEndpoint>);
    return endpoint;
  }

  async list(workspaceId: string, page: number, pageSize: number) {
    const [rows, total] = await this.endpoints.findAndCount({
      where: { workspaceId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    const installed = new Map((await this.installations.enabled(workspaceId)).map((i) => [i.installation.pluginId, i]));
    const endpoints = await Promise.all(
      rows.map(async (row) => {
        const plugin = installed.get(row.pluginId);
        const settings = this.cipher.decrypt<Record<string, unknown>>(row.encryptedSettings);
        const secrets = plugin ? (await this.declaredSettings(plugin)).filter((s) => s.type === 'secret-input') : [];
        return {
          id: row.id,
          name: row.name,
          hook_id: row.hookId,
          url: `/e/${row.hookId}`,
          plugin_id: row.pluginId,
          plugin_unique_identifier: plugin?.installation.pluginUniqueIdentifier ?? null,
          enabled: row.enabled,
          settings: maskCredentials(
            settings,
            secrets.map((s) => s.name),
          ),
          declaration: plugin
            ? { endpoints: (await this.runtime.endpointGroups(plugin.version)).flatMap((g) => g.endpoints) }
            : null,
          created_at: row.createdAt.toISOString(),
          updated_at: row.updatedAt.toISOString(),
        };
      }),
    );
    return { endpoints, total };
  }

  async setEnabled(workspaceId: string, id: string, enabled: boolean): Promise<PluginEndpoint> {
    const endpoint = await this.find(workspaceId, id);
    await this.endpoints.update({ id }, { enabled, updatedAt: new Date() });
    return { ...endpoint, enabled };
  }

  async remove(workspaceId: string, id: string): Promise<PluginEndpoint> {
    const endpoint = await this.find(workspaceId, id);
    await this.endpoints.delete({ id });
    return endpoint;
  }

  /**
   * What `/e/<hook_id>` serves: the endpoint, its settings and the installed version, or
   * undefined when it does not exist, is disabled, or its plugin is no longer installed and
   * enabled in the workspace (all the same 404 to the caller).
   */
  async serving(
    hookId: string,
  ): Promise<{ endpoint: PluginEndpoint; settings: Record<string, unknown>; plugin: InstalledPlugin } | undefined> {
    if (!/^[0-9a-f]{32}$/.test(hookId)) return undefined;
    const endpoint = await this.endpoints.findOneBy({ hookId });
    if (!endpoint?.enabled) return undefined;
    const plugin = await this.installations.enabledPlugin(endpoint.workspaceId, endpoint.pluginId);
    if (!plugin || plugin.version.manifest.plugins.endpoints.length === 0) return undefined;
    return { endpoint, settings: this.cipher.decrypt(endpoint.encryptedSettings), plugin };
  }

  private async find(workspaceId: string, id: string): Promise<PluginEndpoint> {
    const endpoint = isUuid(id) ? await this.endpoints.findOneBy({ id, workspaceId }) : null;
    if (!endpoint) throw notFound();
    return endpoint;
  }

  private async declaredSettings(plugin: InstalledPlugin): Promise<PluginEndpointSetting[]> {
    return (await this.runtime.endpointGroups(plugin.version)).flatMap((g) => g.settings);
  }

  private async checkedSettings(
    plugin: InstalledPlugin,
    sent: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    if (plugin.version.manifest.plugins.endpoints.length === 0) {
      throw new ApiException(400, 'invalid_param', `${plugin.installation.pluginId} declares no endpoints.`);
    }
    const declared = await this.declaredSettings(plugin);
    const unknown = Object.keys(sent).filter((name) => !declared.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new ApiException(
        400,
        'invalid_param',
        `settings: ${unknown.join(', ')} is not a setting of ${plugin.installation.pluginId}.`,
      );
    }
    const settings: Record<string, unknown> = {};
    for (const setting of declared) {
      const value = sent[setting.name] ?? setting.default;
      if (setting.required && (value === undefined || value === '')) {
        throw new ApiException(400, 'invalid_param', `settings: ${setting.name} is required.`);
      }
      if (value !== undefined) settings[setting.name] = value;
    }
    return settings;
  }
}
