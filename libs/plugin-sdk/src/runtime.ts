import { Console } from 'node:console';
import { randomUUID } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { format } from 'node:util';
import { BackwardsCall, llmStream, toolStream } from './backwards';
import type {
  Endpoint,
  EndpointRequest,
  EndpointResponse,
  InvocationContext,
  LlmInvocation,
  LlmOutput,
  Logger,
  PluginRegistry,
  PluginStorage,
  ToolContext,
} from './define';
import { BackwardsCallError, ParameterError, PluginError } from './errors';
import { readLines } from './line-reader';
import { toToolMessage } from './messages';
import { validateArguments } from './parameters';
import {
  encodeMessage,
  isRecord,
  parseHostMessage,
  ProtocolError,
  type BackwardsInvocationType,
  type BackwardsResponse,
  type EndpointResponseData,
  type HostMessage,
  type LlmChunk,
  type LogLevel,
  type PluginMessage,
  type PromptMessage,
  type PromptTool,
  type SessionData,
  type SessionErrorData,
} from './protocol';

export interface RuntimeOptions {
  /** Where host messages come from; default `process.stdin`. */
  input?: Readable;
  /** Where the plugin's messages go; default `process.stdout`. */
  output?: Writable;
  /** Default: `KEEL_PLUGIN_HEARTBEAT_MS` (set by the host), else 30 000 (Dify's daemon kills a plugin silent for 120 s). */
  heartbeatIntervalMs?: number;
  /** How long a backwards call may wait for the host's next message; default 300 000. */
  backwardsTimeoutMs?: number;
  /** Longer input lines are dropped (and logged); default 64 Mi characters. */
  maxLineLength?: number;
  /** Turn `console.*` into `log` messages; default: when `output` is `process.stdout`. */
  captureConsole?: boolean;
  /** Exit the process once the input has ended and every session is over; default: when `input` is `process.stdin`. */
  exitWhenDone?: boolean;
}

const DEFAULT_HEARTBEAT_MS = 30_000;

/** The host says how often it expects a heartbeat (`KEEL_PLUGIN_HEARTBEAT_MS`); absent or invalid: the default. */
function heartbeatFromEnvironment(): number | undefined {
  // This runs inside the plugin's process, where the host's launch environment is the only channel.
  // eslint-disable-next-line no-restricted-syntax
  const value = Number(process.env.KEEL_PLUGIN_HEARTBEAT_MS);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
const DEFAULT_BACKWARDS_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;
/** The `console` methods that print (to stdout or stderr). */
const CONSOLE_METHODS = [
  'log',
  'info',
  'debug',
  'warn',
  'error',
  'dir',
  'dirxml',
  'table',
  'trace',
  'group',
  'groupCollapsed',
  'groupEnd',
  'count',
  'countReset',
  'time',
  'timeEnd',
  'timeLog',
  'assert',
];

class Session {
  readonly controller = new AbortController();
  readonly calls = new Set<BackwardsCall>();
  ended = false;

  constructor(
    readonly id: string,
    readonly userId: string | undefined,
  ) {}
}

function requireString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || !value)
    throw new PluginError('InvalidRequest', `${field} must be a non-empty string`);
  return value;
}

function optionalRecord(data: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = data[field];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new PluginError('InvalidRequest', `${field} must be an object`);
  return value;
}

function optionalArray(data: Record<string, unknown>, field: string): unknown[] {
  const value = data[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new PluginError('InvalidRequest', `${field} must be an array`);
  return value;
}

function list(names: Iterable<string>): string {
  const all = [...names].map((name) => `"${name}"`);
  return all.length > 0 ? all.join(', ') : 'none';
}

function preview(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function errorData(error: unknown): SessionErrorData {
  if (error instanceof ParameterError) {
    return { error_type: 'InvalidParameter', message: error.message, parameter: error.parameter };
  }
  if (error instanceof PluginError) return { error_type: error.code, message: error.message };
  if (error instanceof Error) return { error_type: 'InvokeError', message: error.message || error.name };
  return { error_type: 'InvokeError', message: String(error) };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as Iterable<unknown> | null)?.[Symbol.iterator] === 'function';
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** A handler's result as a sequence of outputs, however it was given (see `ToolResult`). */
async function* outputsOf(result: unknown): AsyncGenerator<unknown> {
  if (result === undefined || result === null) return;
  if (typeof result === 'string') {
    yield result;
  } else if (isPromiseLike(result)) {
    yield* outputsOf(await result);
  } else if (Array.isArray(result)) {
    yield* result;
  } else if (isAsyncIterable(result)) {
    yield* result;
  } else if (isIterable(result)) {
    yield* result;
  } else {
    yield result;
  }
}

function toLlmChunk(output: unknown, index: number, model: string): LlmChunk {
  if (typeof output === 'string') return { model, delta: { index, message: { role: 'assistant', content: output } } };
  if (!isRecord(output)) {
    throw new PluginError('InvalidResult', 'the model produced an invalid chunk: expected a string or an object');
  }
  const piece = output as Exclude<LlmOutput, string>;
  if (piece.content !== undefined && typeof piece.content !== 'string') {
    throw new PluginError('InvalidResult', 'the model produced an invalid chunk: content must be a string');
  }
  const chunk: LlmChunk = { model, delta: { index, message: { role: 'assistant', content: piece.content ?? '' } } };
  if (piece.tool_calls !== undefined) chunk.delta.message.tool_calls = piece.tool_calls;
  if (piece.usage !== undefined) chunk.delta.usage = piece.usage;
  if (piece.finish_reason !== undefined) chunk.delta.finish_reason = piece.finish_reason;
  return chunk;
}

function toEndpointResponse(result: unknown): EndpointResponseData {
  const response: EndpointResponse = typeof result === 'string' ? { body: result } : isRecord(result) ? result : {};
  if (!isRecord(result) && typeof result !== 'string') {
    throw new PluginError('InvalidResult', 'an endpoint handler must return a response object or a string');
  }
  const status = response.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new PluginError(
      'InvalidResult',
      `an endpoint response status must be an integer from 100 to 599, not ${String(status)}`,
    );
  }
  const headers: Record<string, string> = {};
  if (response.headers !== undefined && !isRecord(response.headers)) {
    throw new PluginError('InvalidResult', 'endpoint response headers must be an object');
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
  let body: Buffer;
  let type: string;
  if (response.body === undefined || response.body === null) {
    body = Buffer.alloc(0);
    type = 'text/plain; charset=utf-8';
  } else if (typeof response.body === 'string') {
    body = Buffer.from(response.body, 'utf8');
    type = 'text/plain; charset=utf-8';
  } else if (response.body instanceof Uint8Array) {
    body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
    type = 'application/octet-stream';
  } else {
    body = Buffer.from(JSON.stringify(response.body), 'utf8');
    type = 'application/json';
  }
  if (body.length > 0 && headers['content-type'] === undefined) headers['content-type'] = type;
  return { status, headers, body: body.toString('base64') };
}

/**
 * The plugin side of the protocol (see `protocol.ts`): reads host messages, runs each request as
 * a session (many at once), streams the answers, correlates backwards calls, sends heartbeats.
 */
export class PluginRuntime {
  /** Resolves once the input has ended (or `close()` was called) and every session is over. */
  readonly closed: Promise<void>;

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly heartbeatIntervalMs: number;
  private readonly backwardsTimeoutMs: number;
  private readonly maxLineLength: number;
  private readonly captureConsole: boolean;
  private readonly exitWhenDone: boolean;
  private readonly sessions = new Map<string, Session>();
  private readonly calls = new Map<string, BackwardsCall>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopReading: (() => void) | undefined;
  private restoreConsole: (() => void) | undefined;
  private drained: { promise: Promise<void>; resolve: () => void } | undefined;
  private started = false;
  private inputEnded = false;
  private outputBroken = false;
  private finished = false;
  private resolveClosed!: () => void;

  constructor(
    private readonly registry: PluginRegistry,
    options: RuntimeOptions = {},
  ) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? heartbeatFromEnvironment() ?? DEFAULT_HEARTBEAT_MS;
    this.backwardsTimeoutMs = options.backwardsTimeoutMs ?? DEFAULT_BACKWARDS_TIMEOUT_MS;
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.captureConsole = options.captureConsole ?? this.output === process.stdout;
    this.exitWhenDone = options.exitWhenDone ?? this.input === process.stdin;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** How many sessions are open. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  start(): this {
    if (this.started) throw new Error('the plugin runtime is already started');
    this.started = true;
    this.output.on('error', () => this.onOutputBroken());
    if (this.captureConsole) this.restoreConsole = this.redirectConsole();
    this.stopReading = readLines(this.input, this.maxLineLength, {
      line: (line) => this.onLine(line),
      oversize: (length) =>
        this.log('warn', `ignored an input line of ${length} characters (the limit is ${this.maxLineLength})`),
      end: () => this.onInputEnd(),
    });
    this.sendHeartbeat();
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.heartbeatIntervalMs);
    this.heartbeat.unref?.();
    return this;
  }

  /** Stop reading and cancel the open sessions (each ends with `Cancelled`). */
  close(): Promise<void> {
    for (const session of [...this.sessions.values()]) this.cancel(session, 'the plugin is shutting down');
    this.onInputEnd();
    return this.closed;
  }

  // -- input ------------------------------------------------------------------------------------

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let message: HostMessage;
    try {
      message = parseHostMessage(line);
    } catch (error) {
      const problem = error as ProtocolError;
      // A request that names a session gets an answer even when its envelope is wrong.
      if (problem.sessionId && problem.event === 'request' && !this.sessions.has(problem.sessionId)) {
        this.send({
          session_id: problem.sessionId,
          event: 'session',
          data: { type: 'error', data: { error_type: 'InvalidRequest', message: problem.message } },
        });
        return;
      }
      this.log('warn', `ignored an input line (${problem.message}): ${preview(line)}`);
      return;
    }
    switch (message.event) {
      case 'request':
        return this.onRequest(message.session_id, message.data);
      case 'backwards_response':
        return this.onBackwardsResponse(message.session_id, message.data);
      case 'cancel': {
        const session = this.sessions.get(message.session_id);
        if (session) this.cancel(session, message.data?.reason);
        else this.log('debug', `ignored a cancel for session ${message.session_id}, which is not open`);
        return;
      }
    }
  }

  private onInputEnd(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    this.stopReading?.();
    clearInterval(this.heartbeat);
    for (const call of [...this.calls.values()]) {
      call.fail(new BackwardsCallError('HostClosed', 'the host closed the connection before answering'));
    }
    this.maybeFinish();
  }

  private onOutputBroken(): void {
    if (this.outputBroken) return;
    this.outputBroken = true;
    this.drained?.resolve();
    for (const session of [...this.sessions.values()]) this.cancel(session, 'the output is closed');
    this.onInputEnd();
  }

  private maybeFinish(): void {
    if (!this.inputEnded || this.sessions.size > 0 || this.finished) return;
    this.finished = true;
    clearInterval(this.heartbeat);
    this.restoreConsole?.();
    this.resolveClosed();
    if (this.exitWhenDone) {
      if (this.outputBroken) process.exit(1);
      this.output.write('', () => process.exit(0));
    }
  }

  // -- sessions ---------------------------------------------------------------------------------

  private onRequest(sessionId: string, data: unknown): void {
    if (this.sessions.has(sessionId)) {
      this.send({
        session_id: sessionId,
        event: 'error',
        data: {
          error_type: 'DuplicateSession',
          message: `session ${sessionId} is already open; the request was ignored`,
        },
      });
      return;
    }
    const userId = isRecord(data) && typeof data.user_id === 'string' ? data.user_id : undefined;
    const session = new Session(sessionId, userId);
    this.sessions.set(sessionId, session);
    void this.run(session, data);
  }

  private async run(session: Session, data: unknown): Promise<void> {
    try {
      await this.dispatch(session, data);
      this.endSession(session, { type: 'end', data: {} });
    } catch (error) {
      this.endSession(session, { type: 'error', data: errorData(error) });
    }
  }

  private cancel(session: Session, reason: string | undefined): void {
    if (session.ended) return;
    session.controller.abort(new PluginError('Cancelled', reason ?? 'cancelled by the host'));
    this.endSession(session, {
      type: 'error',
      data: { error_type: 'Cancelled', message: reason ? `cancelled: ${reason}` : 'cancelled by the host' },
    });
  }

  /** Send the session's terminal message; nothing more is sent for it after this. */
  private endSession(session: Session, data: SessionData & { type: 'end' | 'error' }): void {
    if (session.ended) return;
    session.ended = true;
    this.sessions.delete(session.id);
    for (const call of [...session.calls]) {
      call.fail(new BackwardsCallError('SessionEnded', `session ${session.id} has ended`));
    }
    this.send({ session_id: session.id, event: 'session', data });
    this.maybeFinish();
  }

  /** Send a stream or invoke message of an open session; throws `InvalidResult` if it is not JSON. */
  private sendSession(session: Session, data: SessionData): void {
    if (session.ended) return;
    let line: string;
    try {
      line = encodeMessage({ session_id: session.id, event: 'session', data });
    } catch (error) {
      throw new PluginError('InvalidResult', `the result cannot be sent as JSON: ${(error as Error).message}`);
    }
    this.write(line);
  }

  private async dispatch(session: Session, data: unknown): Promise<void> {
    if (!isRecord(data)) throw new PluginError('InvalidRequest', 'data must be an object');
    const route = `${String(data.type)}.${String(data.action)}`;
    switch (route) {
      case 'tool.invoke':
        return this.invokeTool(session, data);
      case 'tool.validate_credentials': {
        const provider = this.toolProvider(data);
        return this.validateCredentials(session, data, provider.name, provider.validateCredentials);
      }
      case 'model.invoke_llm':
        return this.invokeLlm(session, data);
      case 'model.invoke_text_embedding':
        return this.invokeTextEmbedding(session, data);
      case 'model.validate_credentials': {
        const provider = this.modelProvider(data);
        return this.validateCredentials(session, data, provider.name, provider.validateCredentials);
      }
      case 'endpoint.invoke':
        return this.invokeEndpoint(session, data);
      case 'plugin.describe':
        this.sendSession(session, { type: 'stream', data: this.registry.describe() });
        return;
      default:
        throw new PluginError(
          'UnsupportedAction',
          `unsupported request: type ${JSON.stringify(data.type)}, action ${JSON.stringify(data.action)}`,
        );
    }
  }

  /** Stream a handler's outputs, waiting for the output to drain; stops when the session ends. */
  private async pump(session: Session, result: unknown, convert: (output: unknown) => unknown): Promise<void> {
    for await (const output of outputsOf(result)) {
      if (session.ended) break;
      this.sendSession(session, { type: 'stream', data: convert(output) });
      await this.drainedPromise();
    }
  }

  private toolProvider(data: Record<string, unknown>) {
    const name = requireString(data, 'provider');
    const provider = this.registry.toolProviders.get(name);
    if (!provider) {
      throw new PluginError(
        'ProviderNotFound',
        `no tool provider named "${name}" in this plugin (it has: ${list(this.registry.toolProviders.keys())})`,
      );
    }
    return provider;
  }

  private modelProvider(data: Record<string, unknown>) {
    const name = requireString(data, 'provider');
    const provider = this.registry.modelProviders.get(name);
    if (!provider) {
      throw new PluginError(
        'ProviderNotFound',
        `no model provider named "${name}" in this plugin (it has: ${list(this.registry.modelProviders.keys())})`,
      );
    }
    return provider;
  }

  private async invokeTool(session: Session, data: Record<string, unknown>): Promise<void> {
    const provider = this.toolProvider(data);
    const toolName = requireString(data, 'tool');
    const parameters = optionalRecord(data, 'parameters');
    const credentials = optionalRecord(data, 'credentials');
    const tool = provider.tools.get(toolName);
    if (!tool) {
      throw new PluginError(
        'ToolNotFound',
        `tool provider "${provider.name}" has no tool named "${toolName}" (it has: ${list(provider.tools.keys())})`,
      );
    }
    const args = validateArguments(tool.parameters, parameters);
    const ctx: ToolContext = { ...this.context(session), provider: provider.name, tool: tool.name, credentials };
    await this.pump(session, tool.invoke(args, ctx), toToolMessage);
  }

  private async validateCredentials(
    session: Session,
    data: Record<string, unknown>,
    provider: string,
    validate: ((credentials: Record<string, unknown>, ctx: never) => void | Promise<void>) | undefined,
  ): Promise<void> {
    const credentials = optionalRecord(data, 'credentials');
    const model = typeof data.model === 'string' ? data.model : undefined;
    if (validate) {
      try {
        await validate(credentials, { ...this.context(session), provider, ...(model ? { model } : {}) } as never);
      } catch (error) {
        throw new PluginError('CredentialsValidationFailed', error instanceof Error ? error.message : String(error));
      }
    }
    this.sendSession(session, { type: 'stream', data: { result: true } });
  }

  private async invokeLlm(session: Session, data: Record<string, unknown>): Promise<void> {
    const provider = this.modelProvider(data);
    const model = requireString(data, 'model');
    if (provider.models && !provider.models.includes(model)) {
      throw new PluginError(
        'ModelNotFound',
        `model provider "${provider.name}" has no model named "${model}" (it has: ${list(provider.models)})`,
      );
    }
    const promptMessages = optionalArray(data, 'prompt_messages');
    promptMessages.forEach((message, index) => {
      if (!isRecord(message) || typeof message.role !== 'string') {
        throw new PluginError('InvalidRequest', `prompt_messages[${index}] must be an object with a role`);
      }
    });
    const stop = optionalArray(data, 'stop');
    if (!stop.every((s) => typeof s === 'string')) throw new PluginError('InvalidRequest', 'stop must be strings');
    const invocation: LlmInvocation = {
      model,
      prompt_messages: promptMessages as PromptMessage[],
      model_parameters: optionalRecord(data, 'model_parameters'),
      stop,
      tools: optionalArray(data, 'tools') as PromptTool[],
      stream: data.stream !== false,
      credentials: optionalRecord(data, 'credentials'),
    };
    let index = 0;
    await this.pump(session, provider.invoke(invocation, this.context(session)), (output) =>
      toLlmChunk(output, index++, model),
    );
  }

  private async invokeTextEmbedding(session: Session, data: Record<string, unknown>): Promise<void> {
    const provider = this.modelProvider(data);
    if (!provider.embed) {
      throw new PluginError('UnsupportedAction', `model provider "${provider.name}" has no text-embedding models`);
    }
    const model = requireString(data, 'model');
    if (provider.embeddingModels && !provider.embeddingModels.includes(model)) {
      throw new PluginError(
        'ModelNotFound',
        `model provider "${provider.name}" has no text-embedding model named "${model}" (it has: ${list(provider.embeddingModels)})`,
      );
    }
    const texts = optionalArray(data, 'texts');
    if (!texts.every((t) => typeof t === 'string')) throw new PluginError('InvalidRequest', 'texts must be strings');
    const output = await provider.embed(
      { model, texts: texts, credentials: optionalRecord(data, 'credentials') },
      this.context(session),
    );
    const embeddings = Array.isArray(output) ? output : output?.embeddings;
    if (
      !Array.isArray(embeddings) ||
      embeddings.length !== texts.length ||
      !embeddings.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    ) {
      throw new PluginError('InvalidResult', `embed must give one vector of numbers per text (${texts.length})`);
    }
    const tokens =
      !Array.isArray(output) && typeof output.tokens === 'number'
        ? output.tokens
        : (texts).reduce((sum, text) => sum + text.split(/\s+/).filter(Boolean).length, 0);
    this.sendSession(session, { type: 'stream', data: { model, embeddings, usage: { tokens } } });
  }

  private async invokeEndpoint(session: Session, data: Record<string, unknown>): Promise<void> {
    const method = requireString(data, 'method').toUpperCase();
    let path = requireString(data, 'path');
    let query = typeof data.query === 'string' ? data.query : '';
    const mark = path.indexOf('?');
    if (mark !== -1) {
      if (!query) query = path.slice(mark + 1);
      path = path.slice(0, mark);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(optionalRecord(data, 'headers')))
      headers[name.toLowerCase()] = String(value);
    if (data.body !== undefined && data.body !== null && typeof data.body !== 'string') {
      throw new PluginError('InvalidRequest', 'body must be a base64 string');
    }
    const body = typeof data.body === 'string' ? Buffer.from(data.body, 'base64') : Buffer.alloc(0);

    let pathMatched = false;
    let found: { endpoint: Endpoint; params: Record<string, string> } | undefined;
    for (const endpoint of this.registry.endpoints) {
      const params = endpoint.path.match(path);
      if (!params) continue;
      pathMatched = true;
      if (endpoint.methods.includes(method) || endpoint.methods.includes('*')) {
        found = { endpoint, params };
        break;
      }
    }
    if (!found) {
      throw pathMatched
        ? new PluginError('MethodNotAllowed', `no endpoint for ${method} ${path} (the path exists with other methods)`)
        : new PluginError('EndpointNotFound', `no endpoint for ${method} ${path}`);
    }
    const request: EndpointRequest = {
      method,
      path,
      params: found.params,
      query: new URLSearchParams(query),
      headers,
      body,
      settings: optionalRecord(data, 'settings'),
      text: () => body.toString('utf8'),
      json: () => JSON.parse(body.toString('utf8')) as unknown,
    };
    const result = await found.endpoint.handler(request, this.context(session));
    this.sendSession(session, { type: 'stream', data: toEndpointResponse(result) });
  }

  // -- what handlers get ------------------------------------------------------------------------

  private context(session: Session): InvocationContext {
    return {
      sessionId: session.id,
      ...(session.userId !== undefined ? { userId: session.userId } : {}),
      signal: session.controller.signal,
      log: this.logger(session.id),
      invokeLlm: (request) => {
        if (!isRecord(request) || typeof request.provider !== 'string' || typeof request.model !== 'string') {
          throw new BackwardsCallError('InvalidRequest', 'invokeLlm needs a provider and a model');
        }
        if (!Array.isArray(request.prompt_messages)) {
          throw new BackwardsCallError('InvalidRequest', 'invokeLlm needs prompt_messages');
        }
        return llmStream(this.backwards(session, 'llm', { stream: true, ...request }));
      },
      invokeTool: (request) => {
        if (
          !isRecord(request) ||
          !['builtin', 'plugin', 'api'].includes(request.provider_type) ||
          typeof request.provider !== 'string' ||
          typeof request.tool !== 'string'
        ) {
          throw new BackwardsCallError(
            'InvalidRequest',
            'invokeTool needs a provider_type (builtin, plugin or api), a provider and a tool',
          );
        }
        return toolStream(this.backwards(session, 'tool', { ...request, parameters: request.parameters ?? {} }));
      },
      storage: this.storage(session),
    };
  }

  private storage(session: Session): PluginStorage {
    const checkKey = (key: unknown): string => {
      if (typeof key !== 'string' || !key)
        throw new BackwardsCallError('InvalidRequest', 'a storage key must be a non-empty string');
      return key;
    };
    const lastResponse = async (call: BackwardsCall): Promise<unknown> => (await call.all()).at(-1);
    return {
      get: async (key) => {
        const answer = await lastResponse(this.backwards(session, 'storage', { opt: 'get', key: checkKey(key) }));
        if (!isRecord(answer) || (answer.value !== null && typeof answer.value !== 'string')) {
          throw new BackwardsCallError('InvalidResponse', 'the host answered a storage get without a value');
        }
        return answer.value === null ? null : Buffer.from(answer.value, 'base64');
      },
      set: async (key, value) => {
        const bytes =
          typeof value === 'string'
            ? Buffer.from(value, 'utf8')
            : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        await lastResponse(
          this.backwards(session, 'storage', { opt: 'set', key: checkKey(key), value: bytes.toString('base64') }),
        );
      },
      delete: async (key) => {
        await lastResponse(this.backwards(session, 'storage', { opt: 'del', key: checkKey(key) }));
      },
    };
  }

  /** Send a backwards call for the session and return its answer's queue. */
  private backwards(session: Session, type: BackwardsInvocationType, request: object): BackwardsCall {
    if (session.ended) {
      throw new BackwardsCallError(
        'SessionEnded',
        `session ${session.id} has ended: backwards calls work only while it is open`,
      );
    }
    if (this.inputEnded) throw new BackwardsCallError('HostClosed', 'the host has closed the connection');
    const id = randomUUID();
    const call = new BackwardsCall(id, session.id, this.backwardsTimeoutMs, (settled) => {
      this.calls.delete(settled.id);
      session.calls.delete(settled);
    });
    this.calls.set(id, call);
    session.calls.add(call);
    this.sendSession(session, { type: 'invoke', data: { type, backwards_request_id: id, request } as never });
    return call;
  }

  private onBackwardsResponse(sessionId: string, data: BackwardsResponse): void {
    const call = this.calls.get(data.backwards_request_id);
    if (!call || call.sessionId !== sessionId) {
      this.log(
        'debug',
        `ignored a backwards_response for call ${data.backwards_request_id}, which is not waiting`,
        sessionId,
      );
      return;
    }
    switch (data.event) {
      case 'response':
        return call.push(data.data);
      case 'end':
        return call.finish();
      case 'error':
        return call.fail(new BackwardsCallError(data.error_type ?? 'HostError', data.message));
    }
  }

  // -- output -----------------------------------------------------------------------------------

  private write(line: string): void {
    if (this.outputBroken) return;
    if (!this.output.write(line) && !this.drained) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drained = { promise, resolve };
      this.output.once('drain', () => {
        this.drained = undefined;
        resolve();
      });
    }
  }

  private drainedPromise(): Promise<void> {
    return this.drained?.promise ?? Promise.resolve();
  }

  private send(message: PluginMessage): void {
    this.write(encodeMessage(message));
  }

  private sendHeartbeat(): void {
    this.send({ event: 'heartbeat', data: { active_sessions: this.sessions.size } });
  }

  /** Send a `log` message. */
  log(level: LogLevel, message: string, sessionId?: string): void {
    this.send({
      ...(sessionId ? { session_id: sessionId } : {}),
      event: 'log',
      data: { level, message, timestamp: new Date().toISOString() },
    });
  }

  private logger(sessionId: string): Logger {
    const at =
      (level: LogLevel) =>
      (...args: unknown[]) =>
        this.log(level, format(...args), sessionId);
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }

  /** stdout carries the protocol: send whatever `console` prints as `log` messages instead. */
  private redirectConsole(): () => void {
    const sink = (level: LogLevel) =>
      new Writable({
        write: (chunk: Buffer | string, _encoding, callback) => {
          this.log(level, chunk.toString().replace(/\n$/, ''));
          callback();
        },
      });
    const normal = new Console({ stdout: sink('info'), stderr: sink('error') });
    const consoles: Record<string, Console> = {
      debug: new Console({ stdout: sink('debug'), stderr: sink('debug') }),
      warn: new Console({ stdout: sink('warn'), stderr: sink('warn') }),
    };
    const target = console as unknown as Record<string, unknown>;
    const saved: Array<{ name: string; own: boolean; method: unknown }> = [];
    for (const name of CONSOLE_METHODS) {
      const replacement = consoles[name] ?? normal;
      const method = (replacement as unknown as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      saved.push({ name, own: Object.prototype.hasOwnProperty.call(target, name), method: target[name] });
      target[name] = (method as (...args: unknown[]) => unknown).bind(replacement);
    }
    return () => {
      for (const { name, own, method } of saved) {
        if (own) target[name] = method;
        else delete target[name];
      }
    };
  }
}
