import { Injectable } from '@nestjs/common';
import type { SharedToolProvider } from './tool-provider';

/**
 * The providers shared by every workspace: built-in ones registered at boot, plugin ones added
 * and removed at run time as plugins are installed and uninstalled.
 */
@Injectable()
export class ToolProviderRegistry {
  private readonly providers = new Map<string, SharedToolProvider>();

  /** Adds or replaces a provider (a plugin's new version replaces its old one). */
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
}

function keyOf(type: string, name: string): string {
  return `${type}/${name}`;
}
