import { Injectable } from '@nestjs/common';
import type { SharedToolProvider } from './tool-provider';

/**
 * Providers that depend on the workspace (a plugin's tools exist where it is installed and
 * enabled). The plugins module supplies one; the registry does not know how it decides.
 */
export interface WorkspaceToolSource {
  list(workspaceId: string): Promise<SharedToolProvider[]>;
  get(workspaceId: string, name: string): Promise<SharedToolProvider | undefined>;
}

/**
 * Tool providers that are not a workspace's own API providers: built-in ones registered at boot
 * (the same everywhere), and plugin ones, which a workspace source answers per workspace.
 */
@Injectable()
export class ToolProviderRegistry {
  private readonly providers = new Map<string, SharedToolProvider>();
  private plugins: WorkspaceToolSource | undefined;

  /** Adds or replaces a provider. */
  register(provider: SharedToolProvider): void {
    this.providers.set(keyOf(provider.type, provider.name), provider);
  }

  unregister(type: SharedToolProvider['type'], name: string): boolean {
    return this.providers.delete(keyOf(type, name));
  }

  get(type: SharedToolProvider['type'], name: string): SharedToolProvider | undefined {
    return this.providers.get(keyOf(type, name));
  }

  list(): SharedToolProvider[] {
    return [...this.providers.values()];
  }

  /** Where plugin providers come from (set once by the plugins module). */
  usePluginSource(source: WorkspaceToolSource): void {
    this.plugins = source;
  }

  /**
   * The provider as the workspace sees it. Plugin providers are named `author/plugin/provider`;
   * Dify's console files them under `builtin`, so a `builtin` name with slashes is a plugin's too.
   */
  async forWorkspace(
    workspaceId: string,
    type: SharedToolProvider['type'],
    name: string,
  ): Promise<SharedToolProvider | undefined> {
    if (type === 'plugin' || name.includes('/')) return this.plugins?.get(workspaceId, name);
    return this.get(type, name);
  }

  /** Every provider the workspace can use: the shared ones, then its plugins'. */
  async listForWorkspace(workspaceId: string): Promise<SharedToolProvider[]> {
    return [...this.list(), ...((await this.plugins?.list(workspaceId)) ?? [])];
  }
}

function keyOf(type: string, name: string): string {
  return `${type}/${name}`;
}
