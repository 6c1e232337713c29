import type { CancelSignal } from '../../common/lifecycle/cancel-signal';
import type { z } from 'zod';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface ChatMessage {
  role: ChatRole;
  /**
   * An assistant message that only calls tools has `''` (sent to the provider as `null`): a string
   * everywhere keeps token counting and prompt building free of null checks.
   */
  content: string | ContentPart[];
  /** On an assistant message: the tools the model called in that turn. */
  tool_calls?: ToolCall[];
  /** On a `tool` message: the call whose result `content` is. */
  tool_call_id?: string;
}

/** One tool call the model made. */
export interface ToolCall {
  /** The provider's id (`call_…`); generated when the provider sent none. */
  id: string;
  name: string;
  /**
   * The arguments as JSON text, as the model wrote it (`{}` when it wrote none); not validated:
   * models do send broken JSON.
   */
  arguments: string;
}

/** A tool the model may call. */
export interface ToolSpec {
  name: string;
  description: string;
  /** A JSON Schema object describing the arguments. */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Model parameters (`temperature`, `top_p`, `max_tokens`, `stop`, …) passed through as given. */
  params: Record<string, unknown>;
  /** Tools the model may call (native tool calling); absent or empty = none offered. */
  tools?: ToolSpec[];
  signal?: CancelSignal;
  /** Called once, as the request leaves for the provider (not again for retries). */
  onSent?: () => void;
}

/**
 * What a streamed completion yields, in order: deltas, then one `tool_call` per complete call (in
 * index order), then at most one usage, then finish (`tool_calls` when the model called tools).
 */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  | { type: 'finish'; reason: string };

/** Per-1K-token prices; strings keep decimal precision on the wire. */
export interface ModelPricing {
  inputPrice: string;
  outputPrice: string;
  currency: string;
}

export interface ProviderModel extends ModelPricing {
  model: string;
  /** `chat` models take messages; every OpenAI-compatible model is served through chat completions. */
  mode: 'chat';
}

/** A credential form field as the console renders it (Dify's `credential_form_schemas`). */
export interface CredentialField {
  variable: string;
  label: string;
  type: 'secret-input' | 'text-input';
  required: boolean;
  placeholder?: string;
}

/**
 * A model provider: how to check credentials, what models exist and how to stream a chat. Built-in
 * providers implement it; model plugins register more through the `ProviderRegistry`.
 */
export interface ModelProvider<TCredentials extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly credentialFields: CredentialField[];
  readonly credentialSchema: z.ZodType<TCredentials>;
  /** Fields that are secrets: encrypted at rest like the rest, and masked when shown. */
  readonly secretFields: readonly string[];
  /** A live call; throws `UpstreamError` with the upstream's reason when the credentials do not work. */
  validateCredentials(credentials: TCredentials): Promise<void>;
  listModels(credentials: TCredentials): Promise<ProviderModel[]>;
  streamChat(credentials: TCredentials, request: ChatRequest): AsyncIterable<ChatEvent>;
  /** Text-embedding models, for providers that have them (model plugins may). */
  listEmbeddingModels?(credentials: TCredentials): Promise<string[]>;
  /** One vector per text, in order. */
  embed?(credentials: TCredentials, request: EmbeddingRequest): Promise<EmbeddingResult>;
}

export interface EmbeddingRequest {
  model: string;
  texts: string[];
  signal?: CancelSignal;
}

export interface EmbeddingResult {
  embeddings: number[][];
  tokens: number;
}
