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
}
