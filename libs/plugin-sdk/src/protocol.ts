/**
 * The wire protocol between Keel (the host) and a plugin process: JSON lines over the plugin's
 * stdin (host → plugin) and stdout (plugin → host), one JSON object per line (`\n`-terminated,
 * UTF-8; a trailing `\r` is tolerated), many sessions multiplexed on the one pipe. It follows the
 * design of Dify's plugin daemon; names on the wire are snake_case.
 *
 * This module is the contract for both sides: the SDK's runtime (the plugin side) is built on it,
 * and the host imports the same types and parsers. It depends on nothing but the language.
 *
 * ## Sessions
 * The host opens a session by sending a `request` under a fresh `session_id`. The plugin answers
 * on the same `session_id` with `session` messages:
 *   - zero or more `{type: "stream", data}` — the results, in order (what `data` is depends on the
 *     request; see {@link PluginRequest});
 *   - zero or more `{type: "invoke", data}` interleaved — backwards calls (below);
 *   - exactly one terminal message: `{type: "end", data: {}}` on success, or
 *     `{type: "error", data: {error_type, message, parameter?}}` on failure. Nothing follows it.
 * Every `request` whose `session_id` is a non-empty string gets a terminal message, even one whose
 * `data` is malformed (then `error_type: "InvalidRequest"`). A `request` reusing the id of a session
 * that is still open is refused with a top-level `error` event (the open session is not touched).
 * The host may send `{event: "cancel"}` for an open session: the plugin aborts the handler's
 * `signal` and ends the session with `error_type: "Cancelled"` (unless it had already ended).
 *
 * ## Backwards calls (the plugin asks the host)
 * Inside a session the plugin sends `{type: "invoke", data: {type, backwards_request_id, request}}`
 * with an id unique within the process. The host answers with `backwards_response` messages on the
 * same `session_id`: zero or more `{event: "response", data}` then exactly one `{event: "end"}` or
 * `{event: "error", message}`. Kinds: `llm` (responses are {@link LlmChunk}s), `tool` (responses
 * are {@link ToolMessage}s), `storage` (one response: `{value: base64 | null}` for `get`,
 * `{ok: true}` for `set` and `del`). A response for an unknown or finished call is ignored.
 *
 * ## Process-level messages (plugin → host)
 * - `heartbeat` — sent once as soon as the plugin is ready (the host may take it as "started"),
 *   then every 30 s. The host kills a plugin that has been silent for too long (Dify: 120 s).
 * - `log` — `{level, message, timestamp}`, with the `session_id` when it is about a session.
 *   Lines on stdin that are not JSON, or not a host message, are logged (`warn`) and ignored.
 * - `error` — a problem that is not a session's answer (a duplicate `session_id`), with the
 *   `session_id` it concerns when there is one.
 * A plugin must write nothing else to stdout; the SDK turns `console.*` into `log` messages.
 */

/** Bumped on an incompatible change; reported by the `describe` request. */
export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

/** Text in several languages, Dify's shape: `en_US` always, others (`zh_Hans`, …) when given. */
export interface I18nText {
  en_US: string;
  [language: string]: string;
}

/** A file handed to or returned by a plugin: where to fetch it and what it is. */
export interface PluginFile {
  url: string;
  filename?: string;
  mime_type?: string;
  size?: number;
  /** The host's id for the file, when it is one the host stores. */
  id?: string;
}

/**
 * One result of a tool, as it travels (the `data` of a tool session's `stream` messages and of a
 * backwards tool call's responses). Binary content is base64.
 */
export type ToolMessage =
  | { type: 'text'; text: string }
  | { type: 'json'; json: unknown }
  | { type: 'image' | 'link'; url: string }
  | { type: 'blob'; blob: string; mime_type: string; filename?: string }
  | { type: 'file'; file: PluginFile };

export type ToolMessageType = ToolMessage['type'];

export interface LlmToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message given to an LLM (Dify's `PromptMessage`, text content). */
export interface PromptMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  name?: string;
  /** For `role: "tool"`: the call this message answers. */
  tool_call_id?: string;
  /** For `role: "assistant"`: the tools the model asked for. */
  tool_calls?: LlmToolCall[];
}

/** A tool the model may call (Dify's `PromptMessageTool`); `parameters` is a JSON Schema. */
export interface PromptTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface LlmUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One streamed piece of an LLM's answer (Dify's `LLMResultChunk`). */
export interface LlmChunk {
  model?: string;
  delta: {
    index: number;
    message: { role: 'assistant'; content: string; tool_calls?: LlmToolCall[] };
    usage?: LlmUsage;
    finish_reason?: string | null;
  };
}

/** The answer to an endpoint request (the single `stream` message of an endpoint session). */
export interface EndpointResponseData {
  status: number;
  headers: Record<string, string>;
  /** The body, base64. */
  body: string;
}

/** What `describe` answers: everything the plugin registered, as the runtime dispatches it. */
export interface PluginDescription {
  protocol_version: number;
  sdk_version: string;
  tools: Array<{
    provider: string;
    tools: Array<{
      name: string;
      label?: I18nText;
      description?: { human?: I18nText; llm?: string };
      parameters: Array<Record<string, unknown>>;
    }>;
  }>;
  models: Array<{ provider: string; models?: string[]; embedding_models?: string[] }>;
  endpoints: Array<{ method: string; path: string }>;
}

// ---------------------------------------------------------------------------------------------
// Host → plugin
// ---------------------------------------------------------------------------------------------

interface RequestBase {
  /** On whose behalf the host calls (an account or end user id), when it knows. */
  user_id?: string;
}

/**
 * Run a tool. Stream: {@link ToolMessage}s. `parameters` are the raw arguments (the model's,
 * merged over the app's form values); the plugin validates them against the tool's declaration.
 */
export interface ToolInvokeRequest extends RequestBase {
  type: 'tool';
  action: 'invoke';
  provider: string;
  tool: string;
  parameters: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

/** Check a tool provider's credentials. Stream: one `{result: true}`; bad ones end in an error. */
export interface ToolValidateCredentialsRequest extends RequestBase {
  type: 'tool';
  action: 'validate_credentials';
  provider: string;
  credentials: Record<string, unknown>;
}

/** Run one of a model provider's LLMs. Stream: {@link LlmChunk}s. */
export interface ModelInvokeLlmRequest extends RequestBase {
  type: 'model';
  action: 'invoke_llm';
  provider: string;
  model: string;
  credentials: Record<string, unknown>;
  prompt_messages: PromptMessage[];
  model_parameters?: Record<string, unknown>;
  stop?: string[];
  tools?: PromptTool[];
  stream?: boolean;
}

/** Embed texts with one of a model provider's text-embedding models. Stream: one {@link TextEmbeddingResult}. */
export interface ModelInvokeTextEmbeddingRequest extends RequestBase {
  type: 'model';
  action: 'invoke_text_embedding';
  provider: string;
  model: string;
  credentials: Record<string, unknown>;
  texts: string[];
}

/** One vector per text, in order (Dify's `TextEmbeddingResult`). */
export interface TextEmbeddingResult {
  model: string;
  embeddings: number[][];
  usage: { tokens: number };
}

/** Check a model provider's credentials. Stream: one `{result: true}`; bad ones end in an error. */
export interface ModelValidateCredentialsRequest extends RequestBase {
  type: 'model';
  action: 'validate_credentials';
  provider: string;
  model?: string;
  credentials: Record<string, unknown>;
}

/** An HTTP request to one of the plugin's endpoints. Stream: one {@link EndpointResponseData}. */
export interface EndpointInvokeRequest extends RequestBase {
  type: 'endpoint';
  action: 'invoke';
  method: string;
  /** The path below the endpoint's mount point, starting with `/`, without the query string. */
  path: string;
  /** The raw query string, without `?`. */
  query?: string;
  /** Lower-case header names. */
  headers?: Record<string, string>;
  /** The body, base64. */
  body?: string;
  /** The endpoint's settings, as the workspace configured them. */
  settings?: Record<string, unknown>;
}

/** What the plugin registered. Stream: one {@link PluginDescription}. */
export interface PluginDescribeRequest extends RequestBase {
  type: 'plugin';
  action: 'describe';
}

export type PluginRequest =
  | ToolInvokeRequest
  | ToolValidateCredentialsRequest
  | ModelInvokeLlmRequest
  | ModelInvokeTextEmbeddingRequest
  | ModelValidateCredentialsRequest
  | EndpointInvokeRequest
  | PluginDescribeRequest;

export type BackwardsResponse =
  | { backwards_request_id: string; event: 'response'; data: unknown }
  | { backwards_request_id: string; event: 'end' }
  | { backwards_request_id: string; event: 'error'; message: string; error_type?: string };

export interface HostRequestMessage {
  session_id: string;
  event: 'request';
  data: PluginRequest;
}

export interface HostBackwardsResponseMessage {
  session_id: string;
  event: 'backwards_response';
  data: BackwardsResponse;
}

export interface HostCancelMessage {
  session_id: string;
  event: 'cancel';
  data?: { reason?: string };
}

export type HostMessage = HostRequestMessage | HostBackwardsResponseMessage | HostCancelMessage;

// ---------------------------------------------------------------------------------------------
// Plugin → host
// ---------------------------------------------------------------------------------------------

/** Ask the host's workspace to run an LLM. Responses: {@link LlmChunk}s. */
export interface BackwardsLlmRequest {
  provider: string;
  model: string;
  prompt_messages: PromptMessage[];
  model_parameters?: Record<string, unknown>;
  stop?: string[];
  tools?: PromptTool[];
  stream?: boolean;
}

/** Ask the host to run a tool of the workspace. Responses: {@link ToolMessage}s. */
export interface BackwardsToolRequest {
  provider_type: 'builtin' | 'plugin' | 'api';
  provider: string;
  tool: string;
  parameters: Record<string, unknown>;
}

/**
 * The plugin's key-value storage, scoped by the host to the plugin and workspace. `value` is
 * base64. One response: `{value: base64 | null}` for `get` (null: no such key), `{ok: true}` else.
 */
export type BackwardsStorageRequest =
  | { opt: 'get'; key: string }
  | { opt: 'set'; key: string; value: string }
  | { opt: 'del'; key: string };

export type BackwardsInvocation =
  | { type: 'llm'; backwards_request_id: string; request: BackwardsLlmRequest }
  | { type: 'tool'; backwards_request_id: string; request: BackwardsToolRequest }
  | { type: 'storage'; backwards_request_id: string; request: BackwardsStorageRequest };

export type BackwardsInvocationType = BackwardsInvocation['type'];

/** Why a session failed. `parameter` names the offending argument of an `InvalidParameter`. */
export interface SessionErrorData {
  /** One of {@link SessionErrorType}, or the code of a `PluginError` a handler threw. */
  error_type: string;
  message: string;
  parameter?: string;
}

/**
 * The error types the runtime itself reports. A handler's own failure is `InvokeError`, or the
 * `code` of a `PluginError` it threw.
 */
export type SessionErrorType =
  | 'InvalidRequest'
  | 'UnsupportedAction'
  | 'InvalidParameter'
  | 'ToolNotFound'
  | 'ProviderNotFound'
  | 'ModelNotFound'
  | 'EndpointNotFound'
  | 'MethodNotAllowed'
  | 'CredentialsValidationFailed'
  | 'InvalidResult'
  | 'Cancelled'
  | 'InvokeError';

export type SessionData =
  | { type: 'stream'; data: unknown }
  | { type: 'invoke'; data: BackwardsInvocation }
  | { type: 'end'; data: Record<string, never> }
  | { type: 'error'; data: SessionErrorData };

export interface PluginSessionMessage {
  session_id: string;
  event: 'session';
  data: SessionData;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface PluginLogMessage {
  session_id?: string;
  event: 'log';
  data: { level: LogLevel; message: string; timestamp: string };
}

export interface PluginErrorMessage {
  session_id?: string;
  event: 'error';
  data: { error_type: string; message: string };
}

export interface PluginHeartbeatMessage {
  event: 'heartbeat';
  data: { active_sessions: number };
}

export type PluginMessage = PluginSessionMessage | PluginLogMessage | PluginErrorMessage | PluginHeartbeatMessage;

// ---------------------------------------------------------------------------------------------
// Encoding and parsing
// ---------------------------------------------------------------------------------------------

/** One message as one line. `JSON.stringify` escapes newlines inside strings, so it stays one. */
export function encodeMessage(message: HostMessage | PluginMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** A line that is not a valid message. `sessionId` is set when the line named a session. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly sessionId?: string,
    readonly event?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('not JSON');
  }
  if (!isRecord(value)) throw new ProtocolError('not a JSON object');
  return value;
}

function optionalSessionId(message: Record<string, unknown>): string | undefined {
  const id = message.session_id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * Parse a line the host sent. Only the envelope is checked here (and a backwards response's
 * correlation fields); a request's `data` is checked by whoever dispatches it, so that a bad
 * request still gets a session error. Throws {@link ProtocolError}.
 */
export function parseHostMessage(line: string): HostMessage {
  const message = parseLine(line);
  const sessionId = optionalSessionId(message);
  const event = typeof message.event === 'string' ? message.event : undefined;
  if (event !== 'request' && event !== 'backwards_response' && event !== 'cancel') {
    throw new ProtocolError(`unknown event ${JSON.stringify(message.event)}`, sessionId, event);
  }
  if (!sessionId) throw new ProtocolError('session_id must be a non-empty string', undefined, event);
  if (event === 'cancel') {
    const reason = isRecord(message.data) && typeof message.data.reason === 'string' ? message.data.reason : undefined;
    return { session_id: sessionId, event, data: reason === undefined ? {} : { reason } };
  }
  if (!isRecord(message.data)) throw new ProtocolError('data must be an object', sessionId, event);
  if (event === 'request') {
    return { session_id: sessionId, event, data: message.data as unknown as PluginRequest };
  }
  const data = message.data;
  if (typeof data.backwards_request_id !== 'string' || !data.backwards_request_id) {
    throw new ProtocolError('backwards_request_id must be a non-empty string', sessionId, event);
  }
  if (data.event === 'response') {
    return {
      session_id: sessionId,
      event,
      data: { backwards_request_id: data.backwards_request_id, event: 'response', data: data.data },
    };
  }
  if (data.event === 'end') {
    return { session_id: sessionId, event, data: { backwards_request_id: data.backwards_request_id, event: 'end' } };
  }
  if (data.event === 'error') {
    return {
      session_id: sessionId,
      event,
      data: {
        backwards_request_id: data.backwards_request_id,
        event: 'error',
        message: typeof data.message === 'string' ? data.message : 'backwards call failed',
        ...(typeof data.error_type === 'string' ? { error_type: data.error_type } : {}),
      },
    };
  }
  throw new ProtocolError(`unknown backwards_response event ${JSON.stringify(data.event)}`, sessionId, event);
}

const SESSION_TYPES = new Set(['stream', 'invoke', 'end', 'error']);
const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/**
 * Parse a line a plugin wrote (the host's side, and the CLI's `run`). Checks the envelope and the
 * session data's `type`; throws {@link ProtocolError}.
 */
export function parsePluginMessage(line: string): PluginMessage {
  const message = parseLine(line);
  const sessionId = optionalSessionId(message);
  const data = message.data;
  switch (message.event) {
    case 'heartbeat':
      return { event: 'heartbeat', data: { active_sessions: isRecord(data) ? Number(data.active_sessions) || 0 : 0 } };
    case 'log': {
      if (!isRecord(data) || typeof data.message !== 'string') {
        throw new ProtocolError('log data must have a message', sessionId, 'log');
      }
      const level = LOG_LEVELS.has(data.level as string) ? (data.level as LogLevel) : 'info';
      const timestamp = typeof data.timestamp === 'string' ? data.timestamp : new Date().toISOString();
      return {
        ...(sessionId ? { session_id: sessionId } : {}),
        event: 'log',
        data: { level, message: data.message, timestamp },
      };
    }
    case 'error': {
      if (!isRecord(data) || typeof data.message !== 'string') {
        throw new ProtocolError('error data must have a message', sessionId, 'error');
      }
      const errorType = typeof data.error_type === 'string' ? data.error_type : 'PluginError';
      return {
        ...(sessionId ? { session_id: sessionId } : {}),
        event: 'error',
        data: { error_type: errorType, message: data.message },
      };
    }
    case 'session': {
      if (!sessionId) throw new ProtocolError('session_id must be a non-empty string', undefined, 'session');
      if (!isRecord(data) || !SESSION_TYPES.has(data.type as string)) {
        throw new ProtocolError('session data must have a type of stream, invoke, end or error', sessionId, 'session');
      }
      if (data.type === 'error') {
        const error = isRecord(data.data) ? data.data : {};
        return {
          session_id: sessionId,
          event: 'session',
          data: {
            type: 'error',
            data: {
              error_type: typeof error.error_type === 'string' ? error.error_type : 'InvokeError',
              message: typeof error.message === 'string' ? error.message : 'plugin error',
              ...(typeof error.parameter === 'string' ? { parameter: error.parameter } : {}),
            },
          },
        };
      }
      if (data.type === 'invoke') {
        const invocation = data.data;
        if (
          !isRecord(invocation) ||
          typeof invocation.backwards_request_id !== 'string' ||
          !['llm', 'tool', 'storage'].includes(invocation.type as string) ||
          !isRecord(invocation.request)
        ) {
          throw new ProtocolError('invoke data must have type, backwards_request_id and request', sessionId, 'session');
        }
        return {
          session_id: sessionId,
          event: 'session',
          data: { type: 'invoke', data: invocation as BackwardsInvocation },
        };
      }
      if (data.type === 'end') return { session_id: sessionId, event: 'session', data: { type: 'end', data: {} } };
      return { session_id: sessionId, event: 'session', data: { type: 'stream', data: data.data } };
    }
    default:
      throw new ProtocolError(`unknown event ${JSON.stringify(message.event)}`, sessionId);
  }
}
