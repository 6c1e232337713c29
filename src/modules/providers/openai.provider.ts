import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '../../config/app-config';
import type { ChatEvent, ChatRequest, ModelProvider, ProviderModel } from './model-provider';
import { modelEntrySchema, toProviderModel } from './model-pricing';
import { listUpstreamModels, openAiClient, streamOpenAiChat } from './openai-chat.client';

const credentialSchema = z.object({
  openai_api_key: z.string().trim().min(1, { error: 'openai_api_key is required' }),
  openai_api_base: z
    .string()
    .trim()
    .regex(/^https?:\/\/\S+$/, { error: 'openai_api_base must be an http(s) URL' })
    .optional(),
  openai_organization: z.string().trim().optional(),
  /** Prices for the models you use; models not listed cost 0. */
  models: z.array(modelEntrySchema).max(200).optional(),
});

export type OpenAiCredentials = z.infer<typeof credentialSchema>;

// Chat-capable families in OpenAI's /models (which also lists embeddings, audio, images …).
const CHAT_MODEL = /^(gpt-|o\d|chatgpt-)/;

/** OpenAI itself (or a proxy of it, through `openai_api_base`). */
@Injectable()
export class OpenAiProvider implements ModelProvider<OpenAiCredentials> {
  readonly name = 'openai';
  readonly label = 'OpenAI';
  readonly description = 'Models by OpenAI: GPT-4o, GPT-4.1, o-series.';
  readonly credentialSchema = credentialSchema;
  readonly secretFields = ['openai_api_key'] as const;
  readonly credentialFields = [
    { variable: 'openai_api_key', label: 'API Key', type: 'secret-input' as const, required: true },
    {
      variable: 'openai_api_base',
      label: 'API Base',
      type: 'text-input' as const,
      required: false,
      placeholder: 'https://api.openai.com/v1',
    },
    { variable: 'openai_organization', label: 'Organization', type: 'text-input' as const, required: false },
  ];

  constructor(private readonly config: AppConfig) {}

  private client(credentials: OpenAiCredentials) {
    return openAiClient(
      {
        baseURL: credentials.openai_api_base ?? 'https://api.openai.com/v1',
        apiKey: credentials.openai_api_key,
        organization: credentials.openai_organization,
      },
      this.config.models,
    );
  }

  async validateCredentials(credentials: OpenAiCredentials): Promise<void> {
    await listUpstreamModels(this.client(credentials));
  }

  async listModels(credentials: OpenAiCredentials): Promise<ProviderModel[]> {
    const priced = new Map((credentials.models ?? []).map((m) => [m.model, m]));
    const ids = (await listUpstreamModels(this.client(credentials))).filter(
      (id) => CHAT_MODEL.test(id) || priced.has(id),
    );
    return ids.sort().map((id) => toProviderModel(id, priced.get(id)));
  }

  streamChat(credentials: OpenAiCredentials, request: ChatRequest): AsyncIterable<ChatEvent> {
    return streamOpenAiChat(this.client(credentials), request);
  }
}
