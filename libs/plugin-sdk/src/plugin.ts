import { buildRegistry, type PluginDefinition, type PluginRegistry } from './define';
import { PluginRuntime, type RuntimeOptions } from './runtime';

export interface Plugin extends PluginRegistry {
  /**
   * Serve the protocol: by default on this process's stdin and stdout, as the host runs it. In an
   * entrypoint: `if (require.main === module) plugin.start();` (so tests can require it).
   */
  start(options?: RuntimeOptions): PluginRuntime;
}

/**
 * Define a plugin from what it registers: tool providers, model providers and endpoints. Every
 * request the host sends is dispatched to what is registered here (unknown names end the session
 * with `ProviderNotFound`, `ToolNotFound`, `ModelNotFound` or `EndpointNotFound`).
 */
export function definePlugin(definition: PluginDefinition): Plugin {
  const registry = buildRegistry(definition);
  return Object.freeze({
    ...registry,
    start: (options?: RuntimeOptions) => new PluginRuntime(registry, options).start(),
  });
}
