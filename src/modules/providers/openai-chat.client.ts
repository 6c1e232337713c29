import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ChatEvent, ChatRequest } from './model-provider';
import { nodeHttpFetch } from './node-http.fetch';
import { UpstreamError } from './upstream.error';

export interface UpstreamClientOptions {
  timeoutMs: number;
  /** Retries on 408/409/429/5xx and connection errors, with the SDK's exponential backoff. */
  maxRetries: number;
}

export interface OpenAiEndpoint {
  baseURL: string;
  apiKey?: string;
  organization?: string;
}

// Keys Keel sets itself; a model config cannot override them through completion_params.
const RESERVED_PARAMS = new Set(['model', 'messages', 'stream', 'stream_options', 'n']);

/**
 * The official SDK, configured explicitly: `apiKey` is always passed (a placeholder when the
 * endpoint needs none) because the SDK would otherwise read OPENAI_API_KEY from the environment.
 */
// Clients are reused per endpoint and key: building one per call showed up in the chat benchmark.
const clients = new Map<string, OpenAI>();
const MAX_CLIENTS = 256;

export function openAiClient(endpoint: OpenAiEndpoint, options: UpstreamClientOptions): OpenAI {
  const id = [endpoint.baseURL, endpoint.apiKey, endpoint.organization, options.timeoutMs, options.maxRetries].join(
    '\n',
  );
  let client = clients.get(id);
  if (!client) {
    if (clients.size >= MAX_CLIENTS) clients.clear();
    client = createClient(endpoint, options);
    clients.set(id, client);
  }
  return client;
}

function createClient(endpoint: OpenAiEndpoint, options: UpstreamClientOptions): OpenAI {
  // Loaded on first use: the SDK is ~150 modules that a server without model calls never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy loading
  const { OpenAI: Client } = require('openai') as typeof import('openai');
  return new Client({
    apiKey: endpoint.apiKey || 'not-needed',
    baseURL: endpoint.baseURL,
    organization: endpoint.organization || null,
    project: null,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: nodeHttpFetch,
  });
}

/** Streams a chat completion as `ChatEvent`s; every failure surfaces as an `UpstreamError`. */
export async function* streamOpenAiChat(client: OpenAI, request: ChatRequest): AsyncGenerator<ChatEvent> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.params)) if (!RESERVED_PARAMS.has(key)) params[key] = value;
  const body = {
    ...params,
    model: request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
  } as ChatCompletionCreateParamsStreaming;

  let finish: string | undefined;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  try {
    const stream = await client.chat.completions.create(body, { signal: request.signal });
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) yield { type: 'delta', text };
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
  } catch (error) {
    // Whatever the transport threw once the caller aborted (a reset socket, a stream error), it is the abort.
    if (request.signal?.aborted)
      throw new UpstreamError('aborted', 'The request was aborted.', undefined, { cause: error });
    throw UpstreamError.from(error);
  }
  // The SDK ends an aborted stream quietly, as if the answer were complete.
  if (request.signal?.aborted) throw new UpstreamError('aborted', 'The request was aborted.');
  if (usage) yield { type: 'usage', promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
  yield { type: 'finish', reason: finish ?? 'stop' };
}

/** A one-token completion: the cheapest proof that a key, endpoint and model work together. */
export async function probeChat(client: OpenAI, model: string): Promise<void> {
  try {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
  } catch (error) {
    throw UpstreamError.from(error);
  }
}

export async function listUpstreamModels(client: OpenAI): Promise<string[]> {
  try {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    return ids;
  } catch (error) {
    throw UpstreamError.from(error);
  }
}
