import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One chat completion request as the upstream received it. */
export interface UpstreamCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    messages: { role: string; content: unknown }[];
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

/** The answer to a conversation: deterministic, so tests can assert exact text. */
export function fakeAnswer(messages: UpstreamCall['body']['messages']): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const text =
    typeof lastUser?.content === 'string'
      ? lastUser.content
      : Array.isArray(lastUser?.content)
        ? (lastUser.content as { type: string; text?: string }[])
            .filter((p) => p.type === 'text')
            .map((p) => p.text)
            .join(' ')
        : '';
  return `You said: ${text}`;
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
    const answer = fakeAnswer(messages);
    const promptTokens = messages.reduce(
      (n, m) => n + countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)),
      0,
    );
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: countTokens(answer),
      total_tokens: promptTokens + countTokens(answer),
    };
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
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
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
    await frame([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    const chunks = fakeChunks(answer);
    for (const [i, chunk] of chunks.entries()) {
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
      await frame([{ index: 0, delta: { content: chunk }, finish_reason: null }]);
      await sleep(model === 'slow' ? 30_000 : (gap ?? this.options.chunkDelayMs ?? 0), res);
    }
    if (res.destroyed) return;
    await frame([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    if (call.body.stream_options?.include_usage) await frame([], { usage });
    await send('data: [DONE]\n\n');
    if (res.destroyed) return;
    call.finished = true;
    res.end();
  }
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
