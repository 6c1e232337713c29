import type { AppConfig } from '../config/app-config';
import { OpenAiCompatibleProvider } from '../modules/providers/openai-compatible.provider';
import { OpenAiProvider } from '../modules/providers/openai.provider';
import { ProviderRegistry } from '../modules/providers/provider.registry';

/**
 * The registry of built-in model providers, for commands that run without the Nest container: the
 * registry's constructor is the one list of them (plugin providers are not registered here).
 */
export function builtInProviders(config: AppConfig): ProviderRegistry {
  return new ProviderRegistry(new OpenAiProvider(config), new OpenAiCompatibleProvider(config));
}
