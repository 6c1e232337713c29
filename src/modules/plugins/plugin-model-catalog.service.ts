import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ModelProvider } from '../providers/model-provider';
import { ProviderRegistry, type WorkspaceModelSource } from '../providers/provider.registry';
import { PluginInstallationsService } from './plugin-installations.service';
import { splitProviderId } from './plugin-provider-id';
import { PluginModelProvider } from './plugin-model.provider';
import { PluginRuntimeService } from './plugin-runtime.service';

/**
 * Model plugins' providers as the workspace sees them, named `author/plugin/provider` (Dify's
 * plugin provider ids): present while the plugin is installed and enabled there.
 */
@Injectable()
export class PluginModelCatalog implements WorkspaceModelSource, OnModuleInit {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly installations: PluginInstallationsService,
    private readonly runtime: PluginRuntimeService,
  ) {}

  onModuleInit(): void {
    this.registry.usePluginSource(this);
  }

  async list(workspaceId: string): Promise<ModelProvider[]> {
    const providers: ModelProvider[] = [];
    for (const { version } of await this.installations.enabled(workspaceId)) {
      if (version.manifest.plugins.models.length === 0) continue;
      for (const definition of await this.runtime.modelProviders(version)) {
        providers.push(new PluginModelProvider(workspaceId, version, definition, this.runtime));
      }
    }
    return providers;
  }

  async get(workspaceId: string, name: string): Promise<ModelProvider | undefined> {
    const id = splitProviderId(name);
    const found = id && (await this.installations.enabledPlugin(workspaceId, id.pluginId));
    if (!found || found.version.manifest.plugins.models.length === 0) return undefined;
    const definition = (await this.runtime.modelProviders(found.version)).find((d) => d.name === id.provider);
    return definition && new PluginModelProvider(workspaceId, found.version, definition, this.runtime);
  }
}
