import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '../../config/app-config';
import type { ChatEvent, ChatRequest, ModelProvider, ProviderModel } from './model-provider';
import { modelEntrySchema, toProviderModel } from './model-pricing';
import { listUpstreamModels, openAiClient, probeChat, streamOpenAiChat } from './openai-chat.client';

const credentialSchema = z.object({
  /** The API base URL, `/v1` included (e.g. http://vllm:8000/v1, http://ollama:11434/v1). */
  endpoint_url: z
    .string()
    .trim()
    .regex(/^https?:\/\/\S+$/, { error: 'endpoint_url must be an http(s) URL' }),
  api_key: z.string().trim().optional(),
  /** For servers without `GET /models`, or to give models prices. */
  models: z.array(modelEntrySchema).max(200).optional(),
});

export type OpenAiCompatibleCredentials = z.infer<typeof credentialSchema>;

/**
 * Any server speaking OpenAI's chat completions API: vLLM, Ollama, LocalAI, LM Studio, an internal
 * gateway. Endpoints are admin configuration, so private addresses and loopback are allowed.
 */
@Injectable()
export class OpenAiCompatibleProvider implements ModelProvider<OpenAiCompatibleCredentials> {
  readonly name = 'openai_api_compatible';
  readonly label = 'OpenAI-API-compatible';
  readonly description =
    'Any server with an OpenAI-compatible chat completions API (vLLM, Ollama, LocalAI, LM Studio).';
  readonly credentialSchema = credentialSchema;
  readonly secretFields = ['api_key'] as const;
  readonly credentialFields = [
    {
      variable: 'endpoint_url',
      label: 'API endpoint URL',
      type: 'text-input' as const,
      required: true,
      placeholder: 'http://vllm.internal:8000/v1',
    },
    { variable: 'api_key', label: 'API Key', type: 'secret-input' as const, required: false },
  ];

  constructor(private readonly config: AppConfig) {}

  private client(credentials: OpenAiCompatibleCredentials) {
    return openAiClient({ baseURL: credentials.endpoint_url, apiKey: credentials.api_key }, this.config.models);
  }

  /** With a model list, one tiny completion on the first model; otherwise `GET /models`. */
  async validateCredentials(credentials: OpenAiCompatibleCredentials): Promise<void> {
    const first = credentials.models?.[0];
    if (first) await probeChat(this.client(credentials), first.model);
    else await listUpstreamModels(this.client(credentials));
  }

  async listModels(credentials: OpenAiCompatibleCredentials): Promise<ProviderModel[]> {
    if (credentials.models?.length) return credentials.models.map((m) => toProviderModel(m.model, m));
    return (await listUpstreamModels(this.client(credentials))).sort().map((id) => toProviderModel(id));
  }

  streamChat(credentials: OpenAiCompatibleCredentials, request: ChatRequest): AsyncIterable<ChatEvent> {
    return streamOpenAiChat(this.client(credentials), request);
  }
}
