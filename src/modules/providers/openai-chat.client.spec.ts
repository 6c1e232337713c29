import { createServer, type Server } from 'node:http';
import packageJson from '../../../package.json';
import { FakeOpenAiUpstream, toolDirectives } from '../../../test/support/fake-openai-upstream';
import { freePort } from '../../../test/support/server-process';
import type { ChatEvent, ChatMessage, ChatRequest, ToolCall, ToolSpec } from './model-provider';
import {
  listUpstreamModels,
  openAiClient,
  type OpenAiEndpoint,
  probeChat,
  streamOpenAiChat,
  type UpstreamClientOptions,
} from './openai-chat.client';
import { retryDelayMs } from './upstream-http';
import { UpstreamError } from './upstream.error';
import { failureOf } from '../../../test/support/upstream-failure';

/** Events up to the failure (if any), and the failure. */
async function run(events: AsyncIterable<ChatEvent>): Promise<{ events: ChatEvent[]; error?: UpstreamError }> {
  const out: ChatEvent[] = [];
  try {
    for await (const event of events) out.push(event);
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return { events: out, error: error as UpstreamError };
  }
  return { events: out };
}

const textOf = (events: ChatEvent[]) => events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
const callsOf = (events: ChatEvent[]) => events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : []));
const chat = (model: string, content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content }],
  params: {},
  ...extra,
});

/** The upstream client against the OpenAI-compatible server of test/support, on loopback. */
describe('OpenAI chat client (node:http + eventsource-parser)', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-good'] });
  const client = (options: Partial<UpstreamClientOptions> = {}, endpoint: Partial<OpenAiEndpoint> = {}) =>
    openAiClient(
      { baseURL: upstream.baseUrl, apiKey: 'sk-good', ...endpoint },
      { timeoutMs: 5_000, maxRetries: 0, ...options },
    );
  const callsFor = (content: string) =>
    upstream.calls.filter((c) => c.body.messages.some((m) => m.content === content));

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());

  it('streams the deltas, then the usage, then the finish reason, with the request OpenAI expects', async () => {
    const { events, error } = await run(
      streamOpenAiChat(
        client({}, { organization: 'org-42' }),
        chat('gpt-4o-mini', 'hello there', {
          // Reserved keys are Keel's: a model config cannot switch streaming off or ask for n answers.
          params: { temperature: 0.2, model: 'other', n: 3, stream: false, stream_options: {} },
        }),
      ),
    );
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('You said: hello there');
    expect(events.filter((e) => e.type === 'delta').length).toBe(4);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', promptTokens: 2, completionTokens: 4 },
      { type: 'finish', reason: 'stop' },
    ]);
    const call = upstream.lastCall()!;
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.body).toEqual({
      temperature: 0.2,
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(call.headers).toMatchObject({
      authorization: 'Bearer sk-good',
      'openai-organization': 'org-42',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'user-agent': `keel/${packageJson.version}`,
    });
  });

  it('accepts a base URL with a trailing slash and sends no Authorization without a key', async () => {
    const open = await new FakeOpenAiUpstream().start();
    try {
      const { events } = await run(
        streamOpenAiChat(
          openAiClient({ baseURL: `${open.baseUrl}/` }, { timeoutMs: 5_000, maxRetries: 0 }),
          chat('llama3', 'hi'),
        ),
      );
      expect(textOf(events)).toBe('You said: hi');
      expect(open.lastCall()?.path).toBe('/v1/chat/completions');
      expect(open.lastCall()?.headers).not.toHaveProperty('authorization');
      expect(open.lastCall()?.headers).not.toHaveProperty('openai-organization');
    } finally {
      await open.stop();
    }
  });

  it('decodes multi-byte characters that arrive split across reads', async () => {
    const content = 'héllo wörld — 日本語 🚀 ok';
    const { events, error } = await run(streamOpenAiChat(client(), chat('trickle', content)));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(`You said: ${content}`);
    expect(textOf(events)).not.toContain('\uFFFD');
  });

  it('reuses kept-alive connections across calls', async () => {
    await run(streamOpenAiChat(client(), chat('gpt-4o-mini', 'warm up')));
    const before = upstream.connections;
    for (let i = 0; i < 3; i++) {
      const { events } = await run(streamOpenAiChat(client(), chat('gpt-4o-mini', `again ${i}`)));
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    }
    await listUpstreamModels(client());
    expect(upstream.connections).toBe(before);
  });

  it('sorts error answers into auth, quota, model and other, keeping the upstream’s reason and status', async () => {
    const cases: Array<[string, string, number, string, string]> = [
      ['error-401', 'auth', 401, 'provider_not_initialize', 'Incorrect API key provided.'],
      ['error-429', 'quota', 429, 'provider_quota_exceeded', 'You exceeded your current quota.'],
      ['error-404', 'model', 404, 'model_currently_not_support', 'The model error-404 does not exist'],
      ['error-500', 'other', 500, 'completion_request_error', 'The server had an error.'],
    ];
    for (const [model, failure, status, code, message] of cases) {
      const { events, error } = await run(streamOpenAiChat(client(), chat(model, 'x')));
      expect(events).toEqual([]);
      expect({ failure: error?.failure, status: error?.upstreamStatus, code: error?.difyCode }).toEqual({
        failure,
        status,
        code,
      });
      expect(error?.message).toBe(message);
    }
  });

  it('quotes the status and the body’s start when an error answer is not OpenAI’s JSON', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith('/html/'))
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad\n gateway</h1>');
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const at = (path: string) =>
      openAiClient({ baseURL: `http://127.0.0.1:${port}${path}` }, { timeoutMs: 5_000, maxRetries: 0 });
    try {
      const html = await failureOf(probeChat(at('/html'), 'm'));
      expect(html).toMatchObject({ failure: 'other', upstreamStatus: 502, message: '502 <h1>Bad gateway</h1>' });
      const empty = await failureOf(probeChat(at('/empty'), 'm'));
      expect(empty).toMatchObject({ failure: 'other', upstreamStatus: 503, message: '503 Service Unavailable' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(UpstreamError.fromResponse(502, 'Bad Gateway', '<h1>Bad\n gateway</h1>').message).toBe(
      '502 <h1>Bad gateway</h1>',
    );
    expect(UpstreamError.fromResponse(400, 'Bad Request', '{"error":{"code":"invalid_api_key"}}').failure).toBe('auth');
    expect(UpstreamError.fromResponse(400, '', '{"error":{"message":"m","code":"insufficient_quota"}}')).toMatchObject({
      failure: 'quota',
      message: 'm',
    });
    expect(UpstreamError.fromResponse(400, '', '{"error":{"message":"gone","code":"model_not_found"}}').failure).toBe(
      'model',
    );
    expect(UpstreamError.fromResponse(422, '', '{"message":"bad temperature"}')).toMatchObject({
      failure: 'other',
      message: 'bad temperature',
    });
  });

  it('fails a stream that breaks off midway, after the deltas that did arrive', async () => {
    const { events, error } = await run(
      streamOpenAiChat(client({ maxRetries: 3 }), chat('error-midstream', 'a b c d e f')),
    );
    expect(textOf(events)).toBe('You said:');
    expect(error).toMatchObject({ failure: 'other', difyCode: 'completion_request_error' });
    expect(error?.message).toMatch(/closed the connection before the answer was complete/);
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    // The body had started: not retried.
    expect(callsFor('a b c d e f')).toHaveLength(1);
  });

  it('fails with the upstream’s message on an error object or an error event mid-stream', async () => {
    const inData = await run(streamOpenAiChat(client(), chat('error-in-stream', 'one two three')));
    expect(textOf(inData.events)).toBe('You said:');
    expect(inData.error).toMatchObject({ failure: 'other', message: 'The model crashed mid-answer.' });

    const asEvent = await run(streamOpenAiChat(client(), chat('error-event', 'one two three')));
    expect(textOf(asEvent.events)).toBe('You said:');
    expect(asEvent.error).toMatchObject({ failure: 'other', message: 'Overloaded, try later.' });
  });

  it('retries a 5xx answer and then streams the next one, on the same kept-alive connection', async () => {
    await run(streamOpenAiChat(client(), chat('gpt-4o-mini', 'warm up')));
    const before = upstream.connections;
    const { events, error } = await run(streamOpenAiChat(client({ maxRetries: 2 }), chat('fail-once', 'retry me')));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('You said: retry me');
    expect(callsFor('retry me')).toHaveLength(2);
    // The failed answer was read away, so its socket went back to the pool for the retry.
    expect(upstream.connections).toBe(before);
  });

  it('gives up after maxRetries retries', async () => {
    const { error } = await run(streamOpenAiChat(client({ maxRetries: 0 }), chat('fail-once', 'no retry')));
    expect(error).toMatchObject({ failure: 'other', upstreamStatus: 500, message: 'The server had an error.' });
    expect(callsFor('no retry')).toHaveLength(1);
  });

  it('waits what Retry-After asks before retrying', async () => {
    const { events } = await run(
      streamOpenAiChat(client({ maxRetries: 1 }), chat('fail-once-retry-after', 'after a second')),
    );
    expect(textOf(events)).toBe('You said: after a second');
    const [first, second] = callsFor('after a second');
    // Retry-After: 1 → about 1000 ms; the first backoff alone would be at most 500 ms.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('stops waiting for a retry at once when the caller aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const { error } = await run(
      streamOpenAiChat(
        client({ maxRetries: 1 }),
        chat('fail-once-retry-after', 'abort the wait', { signal: controller.signal }),
      ),
    );
    expect(error).toMatchObject({ failure: 'aborted', message: 'The request was aborted.' });
    expect(Date.now() - started).toBeLessThan(700);
    expect(callsFor('abort the wait')).toHaveLength(1);
  });

  it('aborts mid-stream: an “aborted” failure at once, and the upstream sees the connection close', async () => {
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    let abortedAt = 0;
    const pending = (async () => {
      const stream = streamOpenAiChat(client(), chat('slow', 'wait for it', { signal: controller.signal }));
      for await (const event of stream) {
        events.push(event);
        // Aborted from outside while the client waits for the next chunk (30 s away).
        if (event.type === 'delta') {
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort();
          }, 50);
        }
      }
    })();
    const error = await failureOf(pending);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(error).toMatchObject({
      failure: 'aborted',
      message: 'The request was aborted.',
      difyCode: 'completion_request_error',
    });
    expect(textOf(events)).toBe('You');
    const [call] = callsFor('wait for it');
    for (let i = 0; i < 50 && !call.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(call).toMatchObject({ aborted: true, finished: false });
  });

  it('aborts before the response: nothing is sent for an aborted signal, a pending call is closed', async () => {
    const before = upstream.calls.length;
    const early = await run(streamOpenAiChat(client(), chat('gpt-4o-mini', 'x', { signal: AbortSignal.abort() })));
    expect(early.error?.failure).toBe('aborted');
    expect(upstream.calls.length).toBe(before);

    const slow = await new FakeOpenAiUpstream({ firstChunkDelayMs: 30_000 }).start();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const { error } = await run(
        streamOpenAiChat(
          openAiClient({ baseURL: slow.baseUrl }, { timeoutMs: 5_000, maxRetries: 2 }),
          chat('m', 'never answered', { signal: controller.signal }),
        ),
      );
      expect(error?.failure).toBe('aborted');
      expect(Date.now() - started).toBeLessThan(1_000);
      for (let i = 0; i < 50 && !slow.lastCall()?.aborted; i++) await new Promise((r) => setTimeout(r, 10));
      expect(slow.calls).toHaveLength(1);
      expect(slow.lastCall()).toMatchObject({ aborted: true, finished: false });
    } finally {
      await slow.stop();
    }
  });

  it('times out waiting for the response headers, naming the timeout, and retries that like a connection error', async () => {
    const started = Date.now();
    const error = await failureOf(probeChat(client({ timeoutMs: 300, maxRetries: 1 }), 'slow'));
    expect(error.failure).toBe('other');
    expect(error.message).toMatch(/300 ms/);
    expect(error.message).toMatch(/timeout/);
    expect(upstream.calls.filter((c) => c.body.model === 'slow' && c.body.max_tokens === 1).length).toBe(2);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('times out when a started stream goes silent, without retrying', async () => {
    const { events, error } = await run(
      streamOpenAiChat(client({ timeoutMs: 300, maxRetries: 2 }), chat('slow', 'then silence')),
    );
    expect(textOf(events)).toBe('You');
    expect(error?.failure).toBe('other');
    expect(error?.message).toMatch(/nothing for 300 ms.*timeout/);
    expect(callsFor('then silence')).toHaveLength(1);
  });

  it('fails with “Cannot reach the model provider” when nothing listens', async () => {
    const port = await freePort();
    const error = await failureOf(
      listUpstreamModels(openAiClient({ baseURL: `http://127.0.0.1:${port}/v1` }, { timeoutMs: 5_000, maxRetries: 0 })),
    );
    expect(error.failure).toBe('other');
    expect(error.message).toMatch(/^Cannot reach the model provider: .*ECONNREFUSED/);
  });

  it('retries a connection that drops before the answer', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      if (++requests === 1) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m1"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const base = { baseURL: `http://127.0.0.1:${port}/v1` };
      await expect(listUpstreamModels(openAiClient(base, { timeoutMs: 5_000, maxRetries: 1 }))).resolves.toEqual([
        'm1',
      ]);
      expect(requests).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('lists the upstream’s models, and maps a refused key', async () => {
    await expect(listUpstreamModels(client())).resolves.toEqual(['gpt-4o-mini', 'gpt-4o']);
    const refused = await failureOf(listUpstreamModels(client({}, { apiKey: 'sk-bad' })));
    expect(refused).toMatchObject({ failure: 'auth', upstreamStatus: 401, message: 'Incorrect API key provided.' });
  });

  it('probes with a blocking one-token completion', async () => {
    await expect(probeChat(client(), 'gpt-4o-mini')).resolves.toBeUndefined();
    const call = upstream.lastCall()!;
    expect(call.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
    expect(call.headers.accept).toBe('application/json');
    expect((await failureOf(probeChat(client(), 'error-404'))).failure).toBe('model');
  });
});

/** A server that streams the given chunk objects as a chat completion, then `[DONE]`. */
async function streamingServer(chunks: unknown[]): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const WEATHER: ToolSpec = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const CLOCK: ToolSpec = { name: 'get_time', description: 'The time now.', parameters: { type: 'object' } };

/** Native tool calling, against the fake upstream's `[[call …]]` scripting (test/support). */
describe('OpenAI chat client: tool calls', () => {
  const upstream = new FakeOpenAiUpstream();
  const client = () => openAiClient({ baseURL: upstream.baseUrl }, { timeoutMs: 5_000, maxRetries: 0 });
  const ask = (messages: ChatMessage[]) =>
    run(streamOpenAiChat(client(), { model: 'gpt-4o-mini', messages, params: {}, tools: [WEATHER, CLOCK] }));
  /** The messages of the next turn: the assistant's calls, then one result per call. */
  const answered = (calls: ToolCall[], results: string[]): ChatMessage[] => [
    { role: 'assistant', content: '', tool_calls: calls },
    ...calls.map((call, i): ChatMessage => ({ role: 'tool', tool_call_id: call.id, content: results[i] })),
  ];

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());

  it('sends the tools in OpenAI’s format, and no tools field when there are none', async () => {
    await ask([{ role: 'user', content: 'what tools?' }]);
    expect(upstream.lastCall()?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      {
        type: 'function',
        function: { name: 'get_time', description: 'The time now.', parameters: { type: 'object' } },
      },
    ]);

    for (const tools of [undefined, []]) {
      const { events } = await run(streamOpenAiChat(client(), chat('gpt-4o-mini', 'no tools', { tools })));
      expect(textOf(events)).toBe('You said: no tools');
      expect(upstream.lastCall()?.body).not.toHaveProperty('tools');
    }
    // Keel owns the tool list: a model config cannot slip tools in through its parameters.
    await run(streamOpenAiChat(client(), chat('gpt-4o-mini', 'sneaky', { params: { tools: [{ type: 'function' }] } })));
    expect(upstream.lastCall()?.body).not.toHaveProperty('tools');
  });

  it('puts a call together from its streamed fragments and finishes with tool_calls', async () => {
    const { events, error } = await ask([
      { role: 'user', content: 'Weather? [[call get_weather {"city": "Paris", "unit": "celsius"}]]' },
    ]);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'tool_call',
        call: { id: 'call_1', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
      },
      // The fake counts words: 7 in the question, 5 in the call (name and arguments).
      { type: 'usage', promptTokens: 7, completionTokens: 5 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('serializes the assistant’s calls and the tool results in the next request, then gets the answer', async () => {
    const query: ChatMessage = {
      role: 'user',
      content: 'Two steps [[call get_weather {"city":"Oslo"}]] [[call get_time]]',
    };
    const first = await ask([query]);
    const [weather] = callsOf(first.events);
    expect(weather).toEqual({ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' });

    const second = await ask([query, ...answered([weather], ['snow, -3 °C'])]);
    expect(upstream.lastCall()?.body.messages).toEqual([
      { role: 'user', content: query.content },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'snow, -3 °C' },
    ]);
    const [clock] = callsOf(second.events);
    expect(clock).toEqual({ id: 'call_2', name: 'get_time', arguments: '{}' });
    expect(second.events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });

    // An assistant message with text as well as calls keeps its text.
    const withText: ChatMessage = { role: 'assistant', content: 'Checking.', tool_calls: [clock] };
    const third = await ask([
      query,
      ...answered([weather], ['snow, -3 °C']),
      withText,
      { role: 'tool', tool_call_id: clock.id, content: '09:30' },
    ]);
    expect(upstream.lastCall()?.body.messages[3]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }],
    });
    expect(callsOf(third.events)).toEqual([]);
    expect(textOf(third.events)).toBe('Done: snow, -3 °C | 09:30');
    expect(third.events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('reads parallel calls by index, in index order', async () => {
    const query: ChatMessage = {
      role: 'user',
      content: '[[parallel]] [[call get_weather {"city":"Lima"}]] [[call get_weather {"city":"Quito"}]]',
    };
    const { events } = await ask([query]);
    const calls = callsOf(events);
    expect(calls).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Lima"}' },
      { id: 'call_2', name: 'get_weather', arguments: '{"city":"Quito"}' },
    ]);
    expect(events.map((e) => e.type)).toEqual(['tool_call', 'tool_call', 'usage', 'finish']);
    const after = await ask([query, ...answered(calls, ['warm', 'cool'])]);
    expect(textOf(after.events)).toBe('Done: warm | cool');
  });

  it('passes on a call to a tool that was not offered (the caller decides what to do)', async () => {
    const { events } = await ask([{ role: 'user', content: '[[call rm_rf {"path":"/"}]]' }]);
    expect(callsOf(events)).toEqual([{ id: 'call_1', name: 'rm_rf', arguments: '{"path":"/"}' }]);
  });

  it('copes with providers that send whole calls, no ids, no indexes, or object arguments', async () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const cases: Array<[string, unknown[], Array<Partial<ToolCall>>, string]> = [
      [
        'whole calls, one per delta, without an id, finishing with stop',
        [
          chunk({ role: 'assistant', content: null }),
          chunk({ tool_calls: [{ index: 0, type: 'function', function: { name: 'a', arguments: '{"x":1}' } }] }),
          chunk({ tool_calls: [{ index: 1, type: 'function', function: { name: 'b', arguments: '{"y":2}' } }] }),
          chunk({}, 'stop'),
        ],
        [
          { name: 'a', arguments: '{"x":1}' },
          { name: 'b', arguments: '{"y":2}' },
        ],
        'tool_calls',
      ],
      [
        'no index: calls in order, fragments continue the current call',
        [
          chunk({ tool_calls: [{ id: 'c1', function: { name: 'a', arguments: '{"x"' } }] }),
          chunk({ tool_calls: [{ function: { arguments: ':1}' } }] }),
          chunk({ tool_calls: [{ id: 'c1', function: { arguments: '' } }] }),
          chunk({ tool_calls: [{ id: 'c2', function: { name: 'b', arguments: '{}' } }] }),
          chunk({ tool_calls: [{ function: { name: 'c', arguments: { z: [3] } } }] }),
        ],
        [
          { id: 'c1', name: 'a', arguments: '{"x":1}' },
          { id: 'c2', name: 'b', arguments: '{}' },
          { name: 'c', arguments: '{"z":[3]}' },
        ],
        'tool_calls',
      ],
      [
        'interleaved indexes with repeated ids and names, text alongside, cut off by length',
        [
          chunk({ content: 'Let me look.' }),
          chunk({ tool_calls: [{ index: 1, id: 'c2', function: { name: 'b', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'a', arguments: '{"q":' } }] }),
          chunk({ tool_calls: [{ index: 1, id: 'c2', function: { name: 'b', arguments: '{}' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '"hi"}' } }] }),
          chunk({}, 'length'),
        ],
        [
          { id: 'c1', name: 'a', arguments: '{"q":"hi"}' },
          { id: 'c2', name: 'b', arguments: '{}' },
        ],
        'length',
      ],
    ];
    for (const [label, chunks, expected, reason] of cases) {
      const server = await streamingServer(chunks);
      try {
        const { events, error } = await run(
          streamOpenAiChat(
            openAiClient({ baseURL: server.baseUrl }, { timeoutMs: 5_000, maxRetries: 0 }),
            chat('m', 'x', { tools: [WEATHER] }),
          ),
        );
        expect({ label, error }).toEqual({ label, error: undefined });
        const calls = callsOf(events);
        expect({ label, calls }).toEqual({
          label,
          calls: expected.map((call): unknown => expect.objectContaining(call)),
        });
        for (const call of calls) expect(call.id).toMatch(/^(c\d|call_[\w-]{16})$/);
        expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
        expect({ label, finish: events.at(-1) }).toEqual({ label, finish: { type: 'finish', reason } });
        if (label.includes('text alongside')) {
          expect(textOf(events)).toBe('Let me look.');
          expect(events.findIndex((e) => e.type === 'tool_call')).toBeGreaterThan(
            events.findIndex((e) => e.type === 'delta'),
          );
        }
      } finally {
        await server.close();
      }
    }
  });
});

/** The fake upstream's scripting itself: what the suites of agents rely on. */
describe('fake upstream tool scripting', () => {
  const upstream = new FakeOpenAiUpstream();
  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());

  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${upstream.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
    });
    return res.text();
  };
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

  it('reads directives in order, JSON that contains ]], and a directive without JSON', () => {
    expect(toolDirectives('a [[call x {"a":[[1]]}]] b [[call y]] [[call z {broken]] [[call w  [1, 2] ]]')).toEqual([
      { name: 'x', arguments: '{"a":[[1]]}' },
      { name: 'y', arguments: '{}' },
      { name: 'w', arguments: '[1, 2]' },
    ]);
    expect(toolDirectives('no directive [[parallel]]')).toEqual([]);
  });

  it('streams the arguments of each call across several chunks', async () => {
    const text = await post({
      stream: true,
      tools,
      messages: [{ role: 'user', content: '[[parallel]] [[call get_weather {"city":"Rome"}]] [[call other {}]]' }],
    });
    const deltas = text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => (JSON.parse(frame.slice(6)) as { choices: { delta?: Record<string, unknown> }[] }).choices[0])
      .flatMap((choice) => (choice?.delta?.tool_calls ?? []) as { index: number; function: { arguments: string } }[]);
    for (const index of [0, 1]) {
      const fragments = deltas.filter((d) => d.index === index && d.function.arguments !== '');
      expect(fragments.length).toBeGreaterThanOrEqual(2);
    }
    expect(text).toContain('"finish_reason":"tool_calls"');
  });

  it('answers blocking requests with tool_calls too', async () => {
    const answer = JSON.parse(
      await post({ tools, messages: [{ role: 'user', content: 'x [[call get_weather {"city":"Bern"}]]' }] }),
    ) as { choices: unknown[] };
    expect(answer.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('plays ReAct when a system prompt asks for Action: and no tools are offered', async () => {
    const client = openAiClient({ baseURL: upstream.baseUrl }, { timeoutMs: 5_000, maxRetries: 0 });
    const system: ChatMessage = { role: 'system', content: 'Respond with Thought:, then Action: or Final Answer:.' };
    const query: ChatMessage = { role: 'user', content: 'Go [[call lookup {"q":"a"}]] [[call calc {"e":"1+1"}]]' };
    const say = async (messages: ChatMessage[]) => {
      const { events } = await run(streamOpenAiChat(client, { model: 'gpt-4o-mini', messages, params: {} }));
      expect(callsOf(events)).toEqual([]);
      return textOf(events);
    };

    const step1 = await say([system, query]);
    expect(step1).toBe(
      'Thought: I should use lookup.\nAction:\n```\n{"action": "lookup", "action_input": {"q":"a"}}\n```',
    );
    // The scratchpad as Dify writes it: one assistant message, then a user `continue`.
    const step2 = await say([
      system,
      query,
      { role: 'assistant', content: `${step1}\nObservation: found A\n` },
      { role: 'user', content: 'continue' },
    ]);
    expect(step2).toBe(
      'Thought: I should use calc.\nAction:\n```\n{"action": "calc", "action_input": {"e":"1+1"}}\n```',
    );
    // …or observations in user messages of their own.
    const step3 = await say([
      system,
      query,
      { role: 'assistant', content: step1 },
      { role: 'user', content: 'Observation:  found A  \nmore lines' },
      { role: 'assistant', content: step2 },
      { role: 'user', content: 'Observation: 2' },
    ]);
    expect(step3).toBe('Thought: I know the answer.\nFinal Answer: Done: found A | 2');
    // Without directives, or without `Action:` in the system prompt, the usual echo.
    expect(await say([system, { role: 'user', content: 'hi' }])).toBe('You said: hi');
    expect(await say([{ role: 'system', content: 'Be brief.' }, query])).toBe(`You said: ${query.content as string}`);
  });
});

describe('retryDelayMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('honours retry-after-ms, then retry-after in seconds or as an HTTP date', () => {
    expect(retryDelayMs({ 'retry-after-ms': '250', 'retry-after': '9' }, 0, now)).toBe(250);
    expect(retryDelayMs({ 'retry-after': '2' }, 0, now)).toBe(2_000);
    expect(retryDelayMs({ 'retry-after': '0.5' }, 3, now)).toBe(500);
    expect(retryDelayMs({ 'retry-after': new Date(now + 7_000).toUTCString() }, 0, now)).toBe(7_000);
  });

  it('falls back to exponential backoff with jitter when the server asks nothing, too much or nonsense', () => {
    const within = (ms: number, base: number) => ms > base * 0.75 - 1e-9 && ms <= base;
    for (const headers of [undefined, {}, { 'retry-after': '61' }, { 'retry-after': 'soon' }, { 'retry-after': '0' }]) {
      for (const [retries, base] of [
        [0, 500],
        [1, 1_000],
        [2, 2_000],
        [3, 4_000],
        [4, 8_000],
        [9, 8_000],
      ]) {
        const ms = retryDelayMs(headers, retries, now);
        expect({ headers, retries, ok: within(ms, base) }).toEqual({ headers, retries, ok: true });
      }
    }
  });
});
