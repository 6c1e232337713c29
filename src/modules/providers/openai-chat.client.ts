import { randomBytes } from 'node:crypto';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent, ChatMessage, ChatRequest, ToolCall, ToolSpec } from './model-provider';
import {
  type UpstreamCall,
  type UpstreamClientOptions,
  type UpstreamEndpoint,
  UpstreamHttpClient,
} from './upstream-http';
import { errorOf, UpstreamError } from './upstream.error';

// The SDK is not used here: see upstream-http.ts for why (its measured cost on the chat hot path).

export type { UpstreamClientOptions } from './upstream-http';
export type OpenAiEndpoint = UpstreamEndpoint;
export type OpenAiClient = UpstreamHttpClient;

// Keys Keel sets itself; a model config cannot override them through completion_params (a tool
// offered there would be called with nothing to run it).
const RESERVED_PARAMS = new Set(['model', 'messages', 'stream', 'stream_options', 'n', 'tools']);
/** Deltas read ahead of a slow consumer before the socket is paused. */
const READ_AHEAD = 256;
/** One SSE event larger than this is refused (a chunk of a chat stream is well under 1 KB). */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/**
 * A client for an OpenAI-compatible API. Building one is cheap (a parsed URL and a header object):
 * connections are pooled per process, not per client, so none is cached.
 */
export function openAiClient(endpoint: OpenAiEndpoint, options: UpstreamClientOptions): OpenAiClient {
  return new UpstreamHttpClient(endpoint, options);
}

interface ChunkWire {
  choices?: { delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

/** One entry of `delta.tool_calls`: a fragment of a call, or a whole one. */
interface ToolCallDeltaWire {
  index?: unknown;
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown } | null;
}

/** The messages as OpenAI takes them: the same objects unless some assistant message calls tools. */
function wireMessages(messages: ChatMessage[]): unknown[] {
  let i = 0;
  while (i < messages.length && !messages[i].tool_calls?.length) i++;
  if (i === messages.length) return messages;
  return messages.map((message) => {
    const calls = message.tool_calls;
    if (!calls?.length) return message;
    const { tool_calls: _calls, content, ...rest } = message;
    return {
      ...rest,
      content: content.length ? content : null,
      tool_calls: calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  });
}

function wireTools(tools: ToolSpec[]): unknown[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/**
 * Tool calls put together from the stream's `delta.tool_calls` fragments. OpenAI sends a call's
 * `id` and name in the first fragment of its `index` and the arguments in pieces over many chunks;
 * parallel calls have their own indexes (their fragments may interleave). Also read: a whole call
 * in one fragment, an id or name repeated on later fragments (the first one is kept), arguments as
 * a JSON object rather than text (some servers), and fragments without an `index` (some servers):
 * such a fragment opens a new call when it carries an id other than the current call's, or, with
 * no id, a name while the current call already has one; otherwise it continues the current call.
 */
class ToolCallAccumulator {
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private current = -1;

  add(fragments: unknown): void {
    if (!Array.isArray(fragments)) return;
    for (const fragment of fragments as (ToolCallDeltaWire | null)[]) {
      if (typeof fragment !== 'object' || fragment === null) continue;
      const id = typeof fragment.id === 'string' ? fragment.id : '';
      const fn = fragment.function;
      const name = typeof fn?.name === 'string' ? fn.name : '';
      const args = fn?.arguments;
      let index: number;
      if (typeof fragment.index === 'number' && Number.isInteger(fragment.index)) index = fragment.index;
      else {
        const open = this.calls.get(this.current);
        const opens = !open || (id ? id !== open.id : name !== '' && open.name !== '');
        index = opens ? this.current + 1 : this.current;
      }
      let call = this.calls.get(index);
      if (!call) this.calls.set(index, (call = { id: '', name: '', arguments: '' }));
      if (index > this.current) this.current = index;
      if (id && !call.id) call.id = id;
      if (name && !call.name) call.name = name;
      if (typeof args === 'string') call.arguments += args;
      else if (typeof args === 'object' && args !== null) call.arguments += JSON.stringify(args);
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order; an id where the provider sent none, `{}` for empty arguments. */
  complete(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        id: call.id || `call_${randomBytes(12).toString('base64url')}`,
        name: call.name,
        arguments: /\S/.test(call.arguments) ? call.arguments : '{}',
      }));
  }
}

/**
 * Streams a chat completion as `ChatEvent`s; every failure surfaces as an `UpstreamError`, including
 * a stream that breaks off or times out before its end, and an error the upstream sends mid-stream.
 */
export async function* streamOpenAiChat(client: OpenAiClient, request: ChatRequest): AsyncGenerator<ChatEvent> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.params)) if (!RESERVED_PARAMS.has(key)) params[key] = value;
  const wire: Record<string, unknown> = {
    ...params,
    model: request.model,
    messages: wireMessages(request.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  // OpenAI refuses an empty list: no tools, no field.
  if (request.tools?.length) wire.tools = wireTools(request.tools);
  const body = JSON.stringify(wire);
  const { signal } = request;

  // Filled by the socket's data events while the generator waits or is suspended at a yield.
  const texts: string[] = [];
  let next = 0;
  let finish: string | undefined;
  let usage: { promptTokens: number; completionTokens: number } | undefined;
  let toolCalls: ToolCallAccumulator | undefined; // only once a delta carries `tool_calls`
  let failure: UpstreamError | undefined;
  let done = false; // `data: [DONE]`
  let ended = false; // the response ended cleanly
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  const onEvent = (event: EventSourceMessage) => {
    if (done || failure) return;
    if (event.data === '[DONE]') {
      done = true;
      return;
    }
    if (event.event === 'error') {
      failure = new UpstreamError('other', errorOf(event.data).message ?? (event.data || 'Unknown upstream error.'));
      return;
    }
    let chunk: ChunkWire;
    try {
      chunk = JSON.parse(event.data) as ChunkWire;
    } catch {
      failure = new UpstreamError(
        'other',
        `The model provider sent an unreadable stream event: ${event.data.slice(0, 200)}`,
      );
      return;
    }
    if (chunk.error) {
      failure = new UpstreamError('other', errorOf(event.data).message ?? 'Unknown upstream error.');
      return;
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const text = delta?.content;
    if (typeof text === 'string' && text) texts.push(text);
    if (delta?.tool_calls) (toolCalls ??= new ToolCallAccumulator()).add(delta.tool_calls);
    if (typeof choice?.finish_reason === 'string' && choice.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) {
      usage = {
        promptTokens: Number(chunk.usage.prompt_tokens) || 0,
        completionTokens: Number(chunk.usage.completion_tokens) || 0,
      };
    }
  };
  const parser = createParser({
    onEvent,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure ??= new UpstreamError('other', error.message);
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });

  /** Reads the stream from its first byte (attached as the response arrives). */
  const read = (call: UpstreamCall) => {
    const res = call.res;
    // A StringDecoder underneath: multi-byte characters split across reads arrive whole.
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (done || failure) return;
      parser.feed(chunk);
      if (texts.length - next > READ_AHEAD) res.pause();
      notify();
    });
    res.once('end', () => {
      ended = true;
      notify();
    });
    res.once('close', () => {
      if (!ended && !done) failure ??= call.failure();
      notify();
    });
  };

  // `open` writes the request before its first await: this is the moment it leaves.
  const opening = client.open('POST', '/chat/completions', body, 'text/event-stream', signal, read);
  request.onSent?.();
  const call = await opening;
  const res = call.res;
  try {
    for (;;) {
      if (signal?.aborted) throw UpstreamError.aborted(signal.reason);
      while (next < texts.length) yield { type: 'delta', text: texts[next++] };
      texts.length = next = 0;
      if (failure) throw failure;
      if (done || ended) break;
      if (res.isPaused()) res.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // After [DONE] the rest (the chunked terminator) is read away and the socket is pooled again.
    call.close(done || ended);
  }
  if (toolCalls?.size) {
    for (const call of toolCalls.complete()) yield { type: 'tool_call', call };
    // A turn that called tools can still finish with `stop` (OpenAI when `tool_choice` names the
    // function; older Ollama, SGLang, OpenVINO Model Server). `length` is kept: the arguments were cut off.
    if (finish === undefined || finish === 'stop') finish = 'tool_calls';
  }
  if (usage) yield { type: 'usage', ...usage };
  yield { type: 'finish', reason: finish ?? 'stop' };
}

/** A one-token completion: the cheapest proof that a key, endpoint and model work together. */
export async function probeChat(client: OpenAiClient, model: string): Promise<void> {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
  const call = await client.open('POST', '/chat/completions', body, 'application/json');
  await call.readJson();
}

/** `GET /models`: the ids the upstream serves. */
export async function listUpstreamModels(client: OpenAiClient): Promise<string[]> {
  const call = await client.open('GET', '/models', undefined, 'application/json');
  const list = (await call.readJson()) as { data?: { id?: unknown }[] } | null;
  if (!Array.isArray(list?.data)) throw new UpstreamError('other', 'The model provider sent no model list.');
  return list.data.flatMap((model) => (typeof model?.id === 'string' ? [model.id] : []));
}
