import { compilePath, type PathPattern } from './endpoint-router';
import { DefinitionError } from './errors';
import type { ToolOutput } from './messages';
import {
  checkDeclarations,
  describeParameter,
  toI18nText,
  type ParameterDeclaration,
  type ToolArguments,
} from './parameters';
import {
  PROTOCOL_VERSION,
  type BackwardsLlmRequest,
  type BackwardsToolRequest,
  type I18nText,
  type LlmChunk,
  type LlmToolCall,
  type LlmUsage,
  type PluginDescription,
  type PromptMessage,
  type PromptTool,
  type ToolMessage,
} from './protocol';
import { SDK_VERSION } from './version';

// ---------------------------------------------------------------------------------------------
// What handlers receive
// ---------------------------------------------------------------------------------------------

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A backwards LLM call's answer: iterate the chunks, or await the whole text. */
export interface LlmStream extends AsyncIterable<LlmChunk> {
  /** Every chunk's content, concatenated. */
  text(): Promise<string>;
}

/** A backwards tool call's answer: iterate the messages, or await them all. */
export interface ToolStream extends AsyncIterable<ToolMessage> {
  collect(): Promise<ToolMessage[]>;
}

/** The plugin's key-value storage on the host (scoped to the plugin and the workspace). */
export interface PluginStorage {
  /** The value, or null when the key is not set. */
  get(key: string): Promise<Buffer | null>;
  /** A string is stored as UTF-8. */
  set(key: string, value: Uint8Array | string): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * What every handler gets: who calls, a signal aborted when the host cancels the session, a
 * logger (stdout belongs to the protocol: log here or through `console`), and the backwards calls.
 * Backwards calls are sent at once; each answers as it arrives.
 */
export interface InvocationContext {
  readonly sessionId: string;
  readonly userId?: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Run an LLM of the workspace. */
  invokeLlm(request: BackwardsLlmRequest): LlmStream;
  /** Run a tool of the workspace (built-in, API or another plugin's). */
  invokeTool(request: BackwardsToolRequest): ToolStream;
  readonly storage: PluginStorage;
}

export interface ToolContext extends InvocationContext {
  readonly provider: string;
  readonly tool: string;
  /** The provider's credentials, as the workspace configured them. */
  readonly credentials: Record<string, unknown>;
}

export interface CredentialsContext extends InvocationContext {
  readonly provider: string;
  /** For a model provider: the model whose credentials are checked, when one is named. */
  readonly model?: string;
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

/**
 * What a tool's `invoke` gives back: an async generator (each yield streams at once), a sync
 * iterable, or (a promise of) one output, an array of outputs, or nothing. An output is a
 * {@link ToolMessage} (see `messages`) or a string, which is a text message.
 */
export type ToolResult =
  | AsyncIterable<ToolOutput>
  | Iterable<ToolOutput>
  | ToolOutput
  | void
  | Promise<ToolOutput | readonly ToolOutput[] | void>;

export interface ToolDefinition<Ps extends readonly ParameterDeclaration[]> {
  /** Unique within its provider; what the host's `tool` field names. */
  name: string;
  label?: I18nText | string;
  /** `human` is what people read, `llm` what the model reads; a string is both. */
  description?: string | { human?: I18nText | string; llm?: string };
  parameters?: Ps;
  invoke(args: ToolArguments<Ps>, ctx: ToolContext): ToolResult;
}

/** A defined tool (its argument types erased: the runtime validates before it calls). */
export interface Tool {
  readonly kind: 'tool';
  readonly name: string;
  readonly label?: I18nText;
  readonly description?: { human?: I18nText; llm?: string };
  readonly parameters: readonly ParameterDeclaration[];
  readonly invoke: (args: Record<string, unknown>, ctx: ToolContext) => ToolResult;
}

/**
 * Define a tool. Parameters are declared with the fields of Dify's tool YAML, and `invoke` gets
 * typed, validated arguments: declared as a literal, `[{name: 'n', type: 'number', required: true}]`
 * makes `args.n` a `number` (TypeScript infers it; no `as const` needed).
 */
export function defineTool<const Ps extends readonly ParameterDeclaration[] = []>(
  definition: ToolDefinition<Ps>,
): Tool {
  if (!definition || typeof definition.name !== 'string' || !definition.name) {
    throw new DefinitionError('defineTool: a tool needs a name');
  }
  if (typeof definition.invoke !== 'function') {
    throw new DefinitionError(`tool ${definition.name}: invoke must be a function`);
  }
  if (definition.parameters !== undefined && !Array.isArray(definition.parameters as unknown)) {
    throw new DefinitionError(`tool ${definition.name}: parameters must be an array`);
  }
  const parameters: readonly ParameterDeclaration[] = definition.parameters ?? [];
  checkDeclarations(`tool ${definition.name}`, parameters);
  const description =
    typeof definition.description === 'string'
      ? { human: { en_US: definition.description }, llm: definition.description }
      : definition.description
        ? { human: toI18nText(definition.description.human), llm: definition.description.llm }
        : undefined;
  return Object.freeze({
    kind: 'tool' as const,
    name: definition.name,
    label: toI18nText(definition.label),
    description,
    parameters: Object.freeze([...parameters]),
    invoke: definition.invoke.bind(definition) as unknown as Tool['invoke'],
  });
}

export interface ToolProviderDefinition {
  /** The provider's name, as in its YAML's `identity.name`; what the host's `provider` field names. */
  name: string;
  tools: readonly Tool[];
  /** Throw (any error) when the credentials do not work; the message is shown to the user. */
  validateCredentials?(credentials: Record<string, unknown>, ctx: CredentialsContext): void | Promise<void>;
}

export interface ToolProvider {
  readonly kind: 'tool-provider';
  readonly name: string;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly validateCredentials?: ToolProviderDefinition['validateCredentials'];
}

export function defineToolProvider(definition: ToolProviderDefinition): ToolProvider {
  if (!definition || typeof definition.name !== 'string' || !definition.name) {
    throw new DefinitionError('defineToolProvider: a provider needs a name');
  }
  const tools = new Map<string, Tool>();
  for (const tool of definition.tools ?? []) {
    if (tool?.kind !== 'tool') {
      throw new DefinitionError(`tool provider ${definition.name}: tools must come from defineTool`);
    }
    if (tools.has(tool.name))
      throw new DefinitionError(`tool provider ${definition.name}: tool ${tool.name} is defined twice`);
    tools.set(tool.name, tool);
  }
  return Object.freeze({
    kind: 'tool-provider' as const,
    name: definition.name,
    tools,
    validateCredentials: definition.validateCredentials?.bind(definition),
  });
}

// ---------------------------------------------------------------------------------------------
// Model providers
// ---------------------------------------------------------------------------------------------

/** An LLM call, as the model provider's `invoke` receives it. */
export interface LlmInvocation {
  model: string;
  prompt_messages: PromptMessage[];
  model_parameters: Record<string, unknown>;
  stop: string[];
  tools: PromptTool[];
  stream: boolean;
  credentials: Record<string, unknown>;
}

/** One piece of an LLM's answer: a string is a content delta; the object form adds the rest. */
export type LlmOutput =
  | string
  | { content?: string; tool_calls?: LlmToolCall[]; usage?: LlmUsage; finish_reason?: string | null };

export type LlmResult =
  | AsyncIterable<LlmOutput>
  | Iterable<LlmOutput>
  | LlmOutput
  | Promise<LlmOutput | readonly LlmOutput[] | void>;

/** What `embed` gets: the model and the texts, one vector each expected back, in order. */
export interface TextEmbeddingInvocation {
  model: string;
  texts: string[];
  credentials: Record<string, unknown>;
}

/** Vectors, or vectors with the tokens they cost (counted as the texts' words when not given). */
export type TextEmbeddingOutput = number[][] | { embeddings: number[][]; tokens?: number };

export interface ModelProviderDefinition {
  /** The provider's name; what the host's `provider` field names. */
  name: string;
  /** The models it serves; when given, a call naming another model fails with `ModelNotFound`. */
  models?: readonly string[];
  /** Its text-embedding models, when it has any (checked like `models`). */
  embeddingModels?: readonly string[];
  validateCredentials?(credentials: Record<string, unknown>, ctx: CredentialsContext): void | Promise<void>;
  /** Stream the answer: yield content deltas (strings), then, if known, `{usage, finish_reason}`. */
  invoke(request: LlmInvocation, ctx: InvocationContext): LlmResult;
  /** Embed texts (a provider without it answers `UnsupportedAction`). */
  embed?(request: TextEmbeddingInvocation, ctx: InvocationContext): TextEmbeddingOutput | Promise<TextEmbeddingOutput>;
}

export interface ModelProvider {
  readonly kind: 'model-provider';
  readonly name: string;
  readonly models?: readonly string[];
  readonly embeddingModels?: readonly string[];
  readonly validateCredentials?: ModelProviderDefinition['validateCredentials'];
  readonly invoke: ModelProviderDefinition['invoke'];
  readonly embed?: ModelProviderDefinition['embed'];
}

export function defineModelProvider(definition: ModelProviderDefinition): ModelProvider {
  if (!definition || typeof definition.name !== 'string' || !definition.name) {
    throw new DefinitionError('defineModelProvider: a provider needs a name');
  }
  if (typeof definition.invoke !== 'function') {
    throw new DefinitionError(`model provider ${definition.name}: invoke must be a function`);
  }
  if (definition.models !== undefined && !definition.models.every((m) => typeof m === 'string' && m)) {
    throw new DefinitionError(`model provider ${definition.name}: models must be non-empty strings`);
  }
  return Object.freeze({
    kind: 'model-provider' as const,
    name: definition.name,
    models: definition.models ? Object.freeze([...definition.models]) : undefined,
    embeddingModels: definition.embeddingModels ? Object.freeze([...definition.embeddingModels]) : undefined,
    validateCredentials: definition.validateCredentials?.bind(definition),
    invoke: definition.invoke.bind(definition),
    embed: definition.embed?.bind(definition),
  });
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

export interface EndpointRequest {
  method: string;
  /** The request path (below the endpoint's mount point). */
  path: string;
  /** The path's `:name` (or `<name>`) segments, and `*` for what a trailing `/*` matched. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The endpoint's settings, as the workspace configured them. */
  settings: Record<string, unknown>;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws on invalid JSON). */
  json(): unknown;
}

/**
 * An endpoint's answer. `body` may be a string (default type text/plain), bytes (default
 * application/octet-stream) or any other value, sent as JSON (application/json).
 */
export interface EndpointResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface EndpointDefinition {
  /** An HTTP method, several, or `*` for any. */
  method: string | readonly string[];
  /** `/hello`, `/items/:id` (or Dify's `/items/<id>`), `/files/*`. */
  path: string;
  /** Return a response, or a string (200, text/plain). */
  handler(
    request: EndpointRequest,
    ctx: InvocationContext,
  ): EndpointResponse | string | Promise<EndpointResponse | string>;
}

export interface Endpoint {
  readonly kind: 'endpoint';
  readonly methods: readonly string[];
  readonly path: PathPattern;
  readonly handler: EndpointDefinition['handler'];
}

export function defineEndpoint(definition: EndpointDefinition): Endpoint {
  if (!definition || typeof definition.handler !== 'function') {
    throw new DefinitionError('defineEndpoint: an endpoint needs a handler');
  }
  const methods = (typeof definition.method === 'string' ? [definition.method] : [...(definition.method ?? [])]).map(
    (m) => String(m).toUpperCase(),
  );
  if (methods.length === 0 || methods.some((m) => !/^(\*|[A-Z]+)$/.test(m))) {
    throw new DefinitionError(`endpoint ${definition.path}: method must be an HTTP method or *`);
  }
  return Object.freeze({
    kind: 'endpoint' as const,
    methods: Object.freeze(methods),
    path: compilePath(definition.path),
    handler: definition.handler.bind(definition),
  });
}

// ---------------------------------------------------------------------------------------------
// The plugin
// ---------------------------------------------------------------------------------------------

export interface PluginDefinition {
  tools?: readonly ToolProvider[];
  models?: readonly ModelProvider[];
  endpoints?: readonly Endpoint[];
}

/** Everything a plugin registered, indexed the way the runtime dispatches requests. */
export interface PluginRegistry {
  readonly toolProviders: ReadonlyMap<string, ToolProvider>;
  readonly modelProviders: ReadonlyMap<string, ModelProvider>;
  readonly endpoints: readonly Endpoint[];
  describe(): PluginDescription;
}

export function buildRegistry(definition: PluginDefinition): PluginRegistry {
  const toolProviders = new Map<string, ToolProvider>();
  for (const provider of definition.tools ?? []) {
    if (provider?.kind !== 'tool-provider') {
      throw new DefinitionError('definePlugin: tools must come from defineToolProvider');
    }
    if (toolProviders.has(provider.name)) throw new DefinitionError(`tool provider ${provider.name} is defined twice`);
    toolProviders.set(provider.name, provider);
  }
  const modelProviders = new Map<string, ModelProvider>();
  for (const provider of definition.models ?? []) {
    if (provider?.kind !== 'model-provider') {
      throw new DefinitionError('definePlugin: models must come from defineModelProvider');
    }
    if (modelProviders.has(provider.name))
      throw new DefinitionError(`model provider ${provider.name} is defined twice`);
    modelProviders.set(provider.name, provider);
  }
  const endpoints: Endpoint[] = [];
  for (const endpoint of definition.endpoints ?? []) {
    if (endpoint?.kind !== 'endpoint')
      throw new DefinitionError('definePlugin: endpoints must come from defineEndpoint');
    endpoints.push(endpoint);
  }
  return {
    toolProviders,
    modelProviders,
    endpoints,
    describe: () => ({
      protocol_version: PROTOCOL_VERSION,
      sdk_version: SDK_VERSION,
      tools: [...toolProviders.values()].map((provider) => ({
        provider: provider.name,
        tools: [...provider.tools.values()].map((tool) => ({
          name: tool.name,
          ...(tool.label ? { label: tool.label } : {}),
          ...(tool.description ? { description: tool.description } : {}),
          parameters: tool.parameters.map(describeParameter),
        })),
      })),
      models: [...modelProviders.values()].map((provider) => ({
        provider: provider.name,
        ...(provider.models ? { models: [...provider.models] } : {}),
        ...(provider.embeddingModels ? { embedding_models: [...provider.embeddingModels] } : {}),
      })),
      endpoints: endpoints.flatMap((endpoint) =>
        endpoint.methods.map((method) => ({ method, path: endpoint.path.source })),
      ),
    }),
  };
}
