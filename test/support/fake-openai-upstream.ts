import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One message of a chat completion request, as the upstream received it. */
export interface UpstreamMessage {
  role: string;
  content: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** One entry of a request's `tools`. */
export interface UpstreamTool {
  type: string;
  function: { name: string; description?: string; parameters?: unknown };
}

/** One chat completion request as the upstream received it. */
export interface UpstreamCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    messages: UpstreamMessage[];
    tools?: UpstreamTool[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    [param: string]: unknown;
  };
  /** True when the client went away before the answer was complete. */
  aborted: boolean;
  finished: boolean;
  /** `Date.now()` when the request arrived (retry tests measure the gaps). */
  receivedAt: number;
}

export interface FakeUpstreamOptions {
  /** Accepted bearer keys; empty = any key (or none). */
  apiKeys?: string[];
  models?: string[];
  /** Delay before the first streamed chunk / the blocking answer (ms). */
  firstChunkDelayMs?: number;
  /** Delay between streamed chunks (ms). */
  chunkDelayMs?: number;
  /** Serve `GET /models` (some OpenAI-compatible servers do not). */
  listModels?: boolean;
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { type: string; text?: string }[])
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join(' ');
}

/** The answer to a conversation: deterministic, so tests can assert exact text. */
export function fakeAnswer(messages: UpstreamCall['body']['messages']): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `You said: ${textOfContent(lastUser?.content)}`;
}

/** A `[[call <tool> <json>]]` directive of a user message. */
export interface ToolDirective {
  name: string;
  /** The JSON text as written in the directive (trimmed); `{}` when the directive has none. */
  arguments: string;
}

const DIRECTIVE = /\[\[call\s+([^\s\]]+)\s*/g;

/**
 * The `[[call <tool> <json>]]` directives of a text, in order. The JSON ends at the first `]]`
 * after which it parses (so `{"a":[[1]]}` works); a directive whose JSON never parses is skipped.
 */
export function toolDirectives(text: string): ToolDirective[] {
  if (!text.includes('[[call')) return [];
  const directives: ToolDirective[] = [];
  for (const match of text.matchAll(DIRECTIVE)) {
    const from = match.index + match[0].length;
    for (let end = text.indexOf(']]', from); end >= 0; end = text.indexOf(']]', end + 1)) {
      const json = text.slice(from, end).trim();
      if (json === '') {
        directives.push({ name: match[1], arguments: '{}' });
        break;
      }
      try {
        JSON.parse(json);
      } catch {
        continue;
      }
      directives.push({ name: match[1], arguments: json });
      break;
    }
  }
  return directives;
}

/** What the fake answers: text, or tool calls (native mode). */
export type FakeReply = { text: string } | { toolCalls: { id: string; name: string; arguments: string }[] };

/**
 * The scripted reply to a request (see `FakeOpenAiUpstream` for the rules): tool calls or a
 * `Done: …` answer in native mode, a ReAct step in ReAct mode, `You said: …` otherwise.
 */
export function fakeReply(body: Pick<UpstreamCall['body'], 'messages' | 'tools'>): FakeReply {
  const { messages } = body;
  if (body.tools?.length) {
    const lastUser = messages.findLastIndex((m) => m.role === 'user');
    const query = textOfContent(messages[lastUser]?.content);
    const directives = toolDirectives(query);
    if (directives.length === 0) return { text: fakeAnswer(messages) };
    const results = messages.slice(lastUser + 1).filter((m) => m.role === 'tool');
    const k = results.length;
    if (k >= directives.length) return { text: `Done: ${results.map((m) => textOfContent(m.content)).join(' | ')}` };
    const due = query.includes('[[parallel]]') ? directives.slice(k) : [directives[k]];
    return { toolCalls: due.map((d, i) => ({ id: `call_${k + i + 1}`, ...d })) };
  }
  if (messages.some((m) => m.role === 'system' && textOfContent(m.content).includes('Action:'))) {
    const question = reactQuestion(messages);
    const query = textOfContent(messages[question]?.content);
    const directives = toolDirectives(query);
    if (directives.length === 0) return { text: `You said: ${query}` };
    const observations: string[] = [];
    for (const message of messages.slice(question + 1)) {
      for (const [, rest] of textOfContent(message.content).matchAll(/Observation:(.*)/g))
        observations.push(rest.trim());
    }
    const next = directives[observations.length];
    if (!next) return { text: `Thought: I know the answer.\nFinal Answer: Done: ${observations.join(' | ')}` };
    return {
      text:
        `Thought: I should use ${next.name}.\nAction:\n\`\`\`\n` +
        `{"action": ${JSON.stringify(next.name)}, "action_input": ${next.arguments}}\n\`\`\``,
    };
  }
  return { text: fakeAnswer(messages) };
}

/**
 * The index of a ReAct prompt's question: the last user message that is not a scratchpad turn (a
 * user message right after an assistant message with an `Action:` and no `Final Answer:`, such as
 * Dify's `continue` or a user message carrying the observation).
 */
function reactQuestion(messages: UpstreamMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role !== 'user') continue;
    const before = messages[i - 1];
    const scratchpad = before?.role === 'assistant' ? textOfContent(before.content) : '';
    if (!scratchpad.includes('Action:') || scratchpad.includes('Final Answer:')) return i;
  }
  return -1;
}

/** Words of the answer, each one chunk (with its leading space), so streams have many chunks. */
export function fakeChunks(answer: string): string[] {
  return answer.split(/(?= )/);
}

/** Tokens as this upstream counts them: one per whitespace-separated word. */
function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * An OpenAI-compatible upstream on loopback (`/v1/models`, `/v1/chat/completions`, blocking and
 * streaming), standing in for OpenAI, vLLM or Ollama in tests.
 *
 * Scripted failures by model name: `error-401` (bad key), `error-429` (quota), `error-404`
 * (unknown model), `error-500`, `error-midstream` (a stream that breaks after two chunks),
 * `paced` (waits `PACED_GAP_MS` before the first chunk and between chunks, for keep-alive tests),
 * `error-in-stream` (two chunks, then a `data:` frame carrying an `error` object), `error-event`
 * (two chunks, then an SSE `event: error`), and `slow` (streams its first word at once, then waits
 * 30 s per word; blocking, waits 30 s), for stop and abort tests.
 *
 * For retry tests, `fail-once` answers 500 to the first call with a given conversation and serves
 * the next one; `fail-once-retry-after` does the same with a 429 carrying `Retry-After: 1`. For
 * decoding tests, `trickle` streams normally but writes every byte on its own, so multi-byte
 * characters reach the client split across reads.
 *
 * Scripted tool calling, with any model name, by directives in the text of the last user message:
 * `[[call <tool> <json arguments>]]` (one or more, in order; the JSON may be left out for `{}`).
 * Without a directive every request gets the usual `You said: …` answer.
 * - Native mode (the request carries `tools`): with k = the `tool` messages after the last user
 *   message, while k < the number of directives the answer calls the tool of directive k+1 (id
 *   `call_<k+1>`; the arguments JSON as written, streamed across at least two chunks after a first
 *   chunk with the id and name), then `finish_reason: "tool_calls"`. A tool the request does not
 *   offer is called all the same (agents must cope with unknown tools). With `[[parallel]]` in the
 *   text, one answer calls every remaining directive at once (indexes 0, 1, …, ids `call_<k+1>`,
 *   `call_<k+2>`, …; their argument fragments interleave). Once k reaches the number of
 *   directives the answer is `Done: ` + the tool messages' contents joined by ` | `.
 * - ReAct mode (no `tools`, and a system message containing `Action:`): the question is the last
 *   user message that is not a scratchpad turn (one right after an assistant message with an
 *   `Action:` and no `Final Answer:`). With k = the `Observation:` occurrences in the messages after
 *   it, while k < the number of directives the answer is
 *   `Thought: I should use <tool>.\nAction:\n```\n{"action": "<tool>", "action_input": <json>}\n````;
 *   then `Thought: I know the answer.\nFinal Answer: Done: ` + each observation (the rest of its
 *   line, trimmed) joined by ` | `.
 * Blocking requests get the same replies (tool calls in `message.tool_calls`).
 */
const SCRIPTED_MODELS = [
  'error-midstream',
  'error-in-stream',
  'error-event',
  'slow',
  'fail-once',
  'fail-once-retry-after',
  'trickle',
  'paced',
];

export const PACED_GAP_MS = 250;

export class FakeOpenAiUpstream {
  readonly calls: UpstreamCall[] = [];
  /** Conversations the `fail-once*` models have already failed. */
  private readonly failedOnce = new Set<string>();
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** TCP connections accepted so far (keep-alive tests). */
  connections = 0;
  port = 0;

  constructor(readonly options: FakeUpstreamOptions = {}) {}

  /** The API base URL (with `/v1`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  lastCall(): UpstreamCall | undefined {
    return this.calls.at(-1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const keys = this.options.apiKeys ?? [];
    const auth = req.headers.authorization ?? '';
    if (keys.length > 0 && !keys.some((k) => auth === `Bearer ${k}`)) {
      return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (req.method === 'GET' && path === '/v1/models') {
      if (this.options.listModels === false) return sendError(res, 404, 'Not found', 'invalid_request_error', null);
      return sendJson(res, 200, {
        object: 'list',
        data: (this.options.models ?? ['gpt-4o-mini', 'gpt-4o']).map((id) => ({
          id,
          object: 'model',
          created: 1_700_000_000,
          owned_by: 'fake',
        })),
      });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const body = JSON.parse(await readBody(req)) as UpstreamCall['body'];
      const call: UpstreamCall = {
        path,
        headers: req.headers,
        body,
        aborted: false,
        finished: false,
        receivedAt: Date.now(),
      };
      this.calls.push(call);
      res.on('close', () => {
        if (!call.finished) call.aborted = true;
      });
      return this.complete(call, res);
    }
    sendError(res, 404, `Unknown path ${path}`, 'invalid_request_error', null);
  }

  private async complete(call: UpstreamCall, res: ServerResponse): Promise<void> {
    const { model, messages } = call.body;
    switch (model) {
      case 'error-401':
        return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      case 'error-429':
        return sendError(res, 429, 'You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota');
      case 'error-404':
        return sendError(res, 404, `The model ${model} does not exist`, 'invalid_request_error', 'model_not_found');
      case 'error-500':
        return sendError(res, 500, 'The server had an error.', 'server_error', null);
      case 'fail-once':
      case 'fail-once-retry-after': {
        const conversation = `${model}\n${JSON.stringify(messages)}`;
        if (this.failedOnce.has(conversation)) break;
        this.failedOnce.add(conversation);
        if (model === 'fail-once') return sendError(res, 500, 'The server had an error.', 'server_error', null);
        res.setHeader('retry-after', '1');
        return sendError(res, 429, 'Rate limit reached; retry after 1 s.', 'requests', 'rate_limit_exceeded');
      }
    }
    const models = this.options.models;
    if (models && !models.includes(model) && !SCRIPTED_MODELS.includes(model)) {
      return sendError(res, 404, `The model ${model} does not exist`, 'invalid_request_error', 'model_not_found');
    }
    const reply = fakeReply(call.body);
    const toolCalls = 'toolCalls' in reply ? reply.toolCalls : undefined;
    const answer = 'text' in reply ? reply.text : '';
    const promptTokens = messages.reduce(
      (n, m) => n + countTokens(typeof m.content === 'string' ? m.content : m.content ? JSON.stringify(m.content) : ''),
      0,
    );
    const completionTokens = toolCalls
      ? toolCalls.reduce((n, c) => n + countTokens(`${c.name} ${c.arguments}`), 0)
      : countTokens(answer);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const finishReason = toolCalls ? 'tool_calls' : 'stop';
    const id = `chatcmpl-fake${this.calls.length}`;
    const created = Math.floor(Date.now() / 1000);
    const streaming = call.body.stream === true;
    const gap = model === 'paced' ? PACED_GAP_MS : undefined;
    await sleep(model === 'slow' && !streaming ? 30_000 : (gap ?? this.options.firstChunkDelayMs ?? 0), res);
    if (res.destroyed) return;

    if (!streaming) {
      call.finished = true;
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: toolCalls
              ? { role: 'assistant', content: null, tool_calls: toolCalls.map(wireToolCall) }
              : { role: 'assistant', content: answer },
            finish_reason: finishReason,
          },
        ],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = async (text: string) => {
      if (model !== 'trickle') return void res.write(text);
      for (const byte of Buffer.from(text)) {
        if (res.destroyed) return;
        res.write(Buffer.of(byte));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      send(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
    await frame([{ index: 0, delta: { role: 'assistant', content: toolCalls ? null : '' }, finish_reason: null }]);
    const deltas = toolCalls ? toolCallDeltas(toolCalls) : fakeChunks(answer).map((content) => ({ content }));
    for (const [i, delta] of deltas.entries()) {
      if (res.destroyed) return;
      if (model === 'error-midstream' && i === 2) {
        // Node sends a response's first writes on the next tick: let them (and the headers) leave first.
        await new Promise((resolve) => setTimeout(resolve, 20));
        res.destroy();
        return;
      }
      if (model === 'error-in-stream' && i === 2) {
        await send(
          `data: ${JSON.stringify({ error: { message: 'The model crashed mid-answer.', type: 'server_error' } })}\n\n`,
        );
        call.finished = true;
        return void res.end();
      }
      if (model === 'error-event' && i === 2) {
        await send(`event: error\ndata: ${JSON.stringify({ error: { message: 'Overloaded, try later.' } })}\n\n`);
        call.finished = true;
        return void res.end();
      }
      await frame([{ index: 0, delta, finish_reason: null }]);
      await sleep(model === 'slow' ? 30_000 : (gap ?? this.options.chunkDelayMs ?? 0), res);
    }
    if (res.destroyed) return;
    await frame([{ index: 0, delta: {}, finish_reason: finishReason }]);
    if (call.body.stream_options?.include_usage) await frame([], { usage });
    await send('data: [DONE]\n\n');
    if (res.destroyed) return;
    call.finished = true;
    res.end();
  }
}

function wireToolCall(call: { id: string; name: string; arguments: string }) {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/**
 * The stream's deltas for tool calls, as OpenAI sends them: per call a first fragment with the id,
 * the name and empty arguments, then the arguments in pieces (at least two when they are two
 * characters or more), the pieces of parallel calls taking turns.
 */
function toolCallDeltas(calls: { id: string; name: string; arguments: string }[]): unknown[] {
  const deltas: unknown[] = calls.map((call, index) => ({
    tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
  }));
  const pieces = calls.map((call) => {
    const chars = Array.from(call.arguments);
    const size = Math.min(8, Math.max(1, Math.ceil(chars.length / 2)));
    const out: string[] = [];
    for (let at = 0; at < chars.length; at += size) out.push(chars.slice(at, at + size).join(''));
    return out;
  });
  for (let turn = 0; pieces.some((p) => turn < p.length); turn++) {
    for (const [index, p] of pieces.entries()) {
      if (turn < p.length) deltas.push({ tool_calls: [{ index, function: { arguments: p[turn] } }] });
    }
  }
  return deltas;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits, but returns early when the client has gone. */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
