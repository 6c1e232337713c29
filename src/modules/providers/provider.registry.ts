import { Injectable } from '@nestjs/common';
import type { ModelProvider } from './model-provider';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';
import { OpenAiProvider } from './openai.provider';

/**
 * Every model provider Keel can use: the built-in ones, and those model plugins register at run
 * time. Names are unique; a plugin cannot shadow a built-in provider.
 */
@Injectable()
export class ProviderRegistry {
  private readonly providers = new Map<string, ModelProvider>();
  private readonly builtIn = new Set<string>();
  private plugins: WorkspaceModelSource | undefined;

  constructor(openai: OpenAiProvider, compatible: OpenAiCompatibleProvider) {
    for (const provider of [openai, compatible] as ModelProvider[]) {
      this.providers.set(provider.name, provider);
      this.builtIn.add(provider.name);
    }
  }

  register(provider: ModelProvider): void {
    if (this.builtIn.has(provider.name)) throw new Error(`"${provider.name}" is a built-in provider`);
    this.providers.set(provider.name, provider);
  }

  unregister(name: string): void {
    if (!this.builtIn.has(name)) this.providers.delete(name);
  }

  get(name: string): ModelProvider | undefined {
    return this.providers.get(name);
  }

  list(): ModelProvider[] {
    return [...this.providers.values()];
  }

  /** Where plugin providers (`author/plugin/provider`) come from; set once by the plugins module. */
  usePluginSource(source: WorkspaceModelSource): void {
    this.plugins = source;
  }

  /** The provider as the workspace sees it: a plugin's exists only where the plugin is installed and enabled. */
  async forWorkspace(workspaceId: string, name: string): Promise<ModelProvider | undefined> {
    if (name.includes('/')) return this.plugins?.get(workspaceId, name);
    return this.get(name);
  }

  /** Every provider the workspace can use: the registered ones, then its plugins'. */
  async listForWorkspace(workspaceId: string): Promise<ModelProvider[]> {
    return [...this.list(), ...((await this.plugins?.list(workspaceId)) ?? [])];
  }
}

/** Model providers that depend on the workspace (those of the model plugins it installed). */
export interface WorkspaceModelSource {
  get(workspaceId: string, name: string): Promise<ModelProvider | undefined>;
  list(workspaceId: string): Promise<ModelProvider[]>;
}
