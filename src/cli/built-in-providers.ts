import type { AppConfig } from '../config/app-config';
import type { ModelProvider } from '../modules/providers/model-provider';
import { OpenAiCompatibleProvider } from '../modules/providers/openai-compatible.provider';
import { OpenAiProvider } from '../modules/providers/openai.provider';

/** The built-in model providers by name, for commands that run without the Nest container. */
export function builtInProviders(config: AppConfig): Map<string, ModelProvider> {
  const providers: ModelProvider[] = [new OpenAiProvider(config), new OpenAiCompatibleProvider(config)];
  return new Map(providers.map((provider) => [provider.name, provider]));
}
