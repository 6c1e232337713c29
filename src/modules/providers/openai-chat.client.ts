import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent, ChatRequest } from './model-provider';
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

// Keys Keel sets itself; a model config cannot override them through completion_params.
const RESERVED_PARAMS = new Set(['model', 'messages', 'stream', 'stream_options', 'n']);
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
  choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

/**
 * Streams a chat completion as `ChatEvent`s; every failure surfaces as an `UpstreamError`, including
 * a stream that breaks off or times out before its end, and an error the upstream sends mid-stream.
 */
export async function* streamOpenAiChat(client: OpenAiClient, request: ChatRequest): AsyncGenerator<ChatEvent> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.params)) if (!RESERVED_PARAMS.has(key)) params[key] = value;
  const body = JSON.stringify({
    ...params,
    model: request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  const { signal } = request;

  // Filled by the socket's data events while the generator waits or is suspended at a yield.
  const texts: string[] = [];
  let next = 0;
  let finish: string | undefined;
  let usage: { promptTokens: number; completionTokens: number } | undefined;
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
    const text = choice?.delta?.content;
    if (typeof text === 'string' && text) texts.push(text);
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
