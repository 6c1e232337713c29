/* eslint-disable @typescript-eslint/no-unsafe-return -- the lines are untyped JSON */
import { definePlugin } from './plugin';
import { defineEndpoint, defineModelProvider, defineTool, defineToolProvider, type ToolContext } from './define';
import { messages } from './messages';
import { PluginError } from './errors';
import { Harness } from './runtime.spec-support';

/** A promise the test resolves by hand: to hold a handler at a point of its run. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const echo = defineTool({
  name: 'echo',
  parameters: [
    { name: 'text', type: 'string', required: true, form: 'llm', llm_description: 'what to echo' },
    { name: 'times', type: 'number', default: 1, min: 1, max: 5 },
    { name: 'mode', type: 'select', options: [{ value: 'upper' }, { value: 'lower' }] },
    { name: 'loud', type: 'boolean' },
  ],
  async *invoke(args) {
    for (let i = 0; i < args.times; i++) {
      const text =
        args.mode === 'upper' ? args.text.toUpperCase() : args.mode === 'lower' ? args.text.toLowerCase() : args.text;
      yield messages.text(args.loud ? `${text}!` : text);
    }
  },
});

function demo(tools: Parameters<typeof defineToolProvider>[0]['tools'] = [echo]) {
  return definePlugin({ tools: [defineToolProvider({ name: 'demo', tools })] });
}

const invoke = (tool: string, parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: 'tool',
  action: 'invoke',
  provider: 'demo',
  tool,
  parameters,
  credentials: {},
  ...extra,
});

describe('PluginRuntime', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.runtime.close();
    harness = undefined;
  });

  describe('tool invocation', () => {
    it('validates the arguments, streams each message as a stream line, then ends the session', async () => {
      harness = new Harness(demo());
      harness.request('s1', invoke('echo', { text: 'Hi', times: '2', mode: 'upper', loud: 'true' }));
      expect(await harness.session('s1')).toEqual([
        { session_id: 's1', event: 'session', data: { type: 'stream', data: { type: 'text', text: 'HI!' } } },
        { session_id: 's1', event: 'session', data: { type: 'stream', data: { type: 'text', text: 'HI!' } } },
        { session_id: 's1', event: 'session', data: { type: 'end', data: {} } },
      ]);
    });

    it('sends a message as soon as the tool yields it, before the tool has finished', async () => {
      const held = gate();
      const slow = defineTool({
        name: 'slow',
        async *invoke() {
          yield 'first';
          await held.promise;
          yield 'second';
        },
      });
      harness = new Harness(demo([slow]));
      harness.request('s1', invoke('slow'));
      const first = await harness.waitFor((line) => line.session_id === 's1');
      expect(first.data).toEqual({ type: 'stream', data: { type: 'text', text: 'first' } });
      expect(harness.sessionLines('s1')).toHaveLength(1);
      held.open();
      expect((await harness.streamed('s1')).map((m: any) => m.text)).toEqual(['first', 'second']);
    });

    it('carries every message type, a blob as base64', async () => {
      const all = defineTool({
        name: 'all',
        *invoke() {
          yield messages.text('t');
          yield messages.json({ a: [1, 2] });
          yield messages.image('https://example.test/i.png');
          yield messages.link('https://example.test/');
          yield messages.blob(Buffer.from([0, 1, 254, 255]), {
            mime_type: 'application/octet-stream',
            filename: 'b.bin',
          });
          yield messages.file({ url: 'https://example.test/f.pdf', mime_type: 'application/pdf', filename: 'f.pdf' });
        },
      });
      harness = new Harness(demo([all]));
      harness.request('s1', invoke('all'));
      expect(await harness.streamed('s1')).toEqual([
        { type: 'text', text: 't' },
        { type: 'json', json: { a: [1, 2] } },
        { type: 'image', url: 'https://example.test/i.png' },
        { type: 'link', url: 'https://example.test/' },
        { type: 'blob', blob: 'AAH+/w==', mime_type: 'application/octet-stream', filename: 'b.bin' },
        { type: 'file', file: { url: 'https://example.test/f.pdf', mime_type: 'application/pdf', filename: 'f.pdf' } },
      ]);
    });

    it('accepts a returned string, array or nothing as well as a generator', async () => {
      harness = new Harness(
        demo([
          defineTool({ name: 'str', invoke: async () => 'plain' }),
          defineTool({ name: 'arr', invoke: () => [messages.json(1), 'two'] }),
          defineTool({ name: 'none', invoke: () => undefined }),
        ]),
      );
      harness.request('a', invoke('str'));
      harness.request('b', invoke('arr'));
      harness.request('c', invoke('none'));
      expect(await harness.streamed('a')).toEqual([{ type: 'text', text: 'plain' }]);
      expect(await harness.streamed('b')).toEqual([
        { type: 'json', json: 1 },
        { type: 'text', text: 'two' },
      ]);
      expect(await harness.session('c')).toEqual([
        { session_id: 'c', event: 'session', data: { type: 'end', data: {} } },
      ]);
    });

    it('gives the tool its credentials, user and session', async () => {
      let seen: ToolContext | undefined;
      const spy = defineTool({
        name: 'spy',
        invoke: (_args, ctx) => {
          seen = ctx;
          return 'ok';
        },
      });
      harness = new Harness(demo([spy]));
      harness.request('s9', invoke('spy', {}, { credentials: { api_key: 'k' }, user_id: 'u1' }));
      await harness.session('s9');
      expect(seen).toMatchObject({
        sessionId: 's9',
        userId: 'u1',
        provider: 'demo',
        tool: 'spy',
        credentials: { api_key: 'k' },
      });
    });
  });

  describe('errors', () => {
    it('answers an unknown tool with a ToolNotFound session error naming what exists', async () => {
      harness = new Harness(demo());
      harness.request('s1', invoke('nope'));
      const [line] = await harness.session('s1');
      expect(line.data).toEqual({
        type: 'error',
        data: { error_type: 'ToolNotFound', message: 'tool provider "demo" has no tool named "nope" (it has: "echo")' },
      });
    });

    it('answers an unknown provider with ProviderNotFound', async () => {
      harness = new Harness(demo());
      harness.request('s1', invoke('echo', { text: 'x' }, { provider: 'other' }));
      const [line] = await harness.session('s1');
      expect(line.data.data.error_type).toBe('ProviderNotFound');
    });

    it.each([
      [{}, 'text', 'parameter "text" is required'],
      [{ text: 'x', times: 'many' }, 'times', 'parameter "times" must be a number'],
      [{ text: 'x', times: 9 }, 'times', 'parameter "times" must be at most 5'],
      [{ text: 'x', mode: 'sideways' }, 'mode', 'parameter "mode" must be one of "upper", "lower"'],
      [{ text: 'x', loud: 'maybe' }, 'loud', 'parameter "loud" must be true or false'],
      [{ text: { nested: true } }, 'text', 'parameter "text" must be a string'],
    ])('answers bad arguments %j with InvalidParameter naming %s', async (parameters, parameter, message) => {
      let called = false;
      const guarded = defineTool({ ...echo, invoke: () => void (called = true) });
      harness = new Harness(demo([guarded]));
      harness.request('s1', invoke('echo', parameters));
      const lines = await harness.session('s1');
      expect(lines).toHaveLength(1);
      expect(lines[0].data).toEqual({ type: 'error', data: { error_type: 'InvalidParameter', parameter, message } });
      expect(called).toBe(false);
    });

    it('reports what a tool throws: a PluginError by its code, anything else as InvokeError', async () => {
      harness = new Harness(
        demo([
          defineTool({
            name: 'limited',
            invoke: () => {
              throw new PluginError('RateLimited', 'slow down');
            },
          }),
          defineTool({
            name: 'broken',
            async *invoke() {
              yield 'partial';
              throw new TypeError('boom');
            },
          }),
        ]),
      );
      harness.request('a', invoke('limited'));
      harness.request('b', invoke('broken'));
      expect((await harness.session('a'))[0].data).toEqual({
        type: 'error',
        data: { error_type: 'RateLimited', message: 'slow down' },
      });
      const b = await harness.session('b');
      expect(b.map((line) => line.data.type)).toEqual(['stream', 'error']);
      expect(b[1].data.data).toEqual({ error_type: 'InvokeError', message: 'boom' });
    });

    it('refuses a yielded value that is not a message with InvalidResult', async () => {
      harness = new Harness(demo([defineTool({ name: 'bad', invoke: () => [{ type: 'sound', url: 'x' } as never] })]));
      harness.request('s1', invoke('bad'));
      const [line] = await harness.session('s1');
      expect(line.data.data.error_type).toBe('InvalidResult');
      expect(line.data.data.message).toContain('"sound"');
    });

    it('answers malformed requests with InvalidRequest or UnsupportedAction, on their session', async () => {
      harness = new Harness(demo());
      harness.send({ session_id: 'a', event: 'request', data: 'not an object' });
      harness.request('b', { type: 'tool', action: 'invoke', provider: 'demo' });
      harness.request('c', { type: 'tool', action: 'explode' });
      expect((await harness.session('a'))[0].data.data.error_type).toBe('InvalidRequest');
      expect((await harness.session('b'))[0].data.data).toEqual({
        error_type: 'InvalidRequest',
        message: 'tool must be a non-empty string',
      });
      expect((await harness.session('c'))[0].data.data.error_type).toBe('UnsupportedAction');
    });

    it('refuses a request that reuses an open session id with an error event, leaving the open session alone', async () => {
      const held = gate();
      harness = new Harness(demo([defineTool({ name: 'wait', invoke: async () => (await held.promise, 'done') })]));
      harness.request('s1', invoke('wait'));
      harness.request('s1', invoke('wait'));
      const refusal = await harness.waitFor((line) => line.event === 'error');
      expect(refusal).toMatchObject({ session_id: 's1', data: { error_type: 'DuplicateSession' } });
      held.open();
      expect(await harness.streamed('s1')).toEqual([{ type: 'text', text: 'done' }]);
      expect(harness.sessionLines('s1')).toHaveLength(2);
    });
  });

  describe('input it cannot read', () => {
    it('logs garbage lines as warnings, ignores them and keeps serving', async () => {
      harness = new Harness(demo());
      harness.sendRaw('this is not json\n');
      harness.sendRaw('[1, 2]\n\n   \n');
      harness.send({ event: 'bogus', session_id: 'z' });
      harness.send({ session_id: 'z', event: 'backwards_response', data: {} });
      harness.sendRaw('{"session_id": "half');
      harness.sendRaw('way", "event": "request", "data": {"type": "tool", "action": "invoke", "provider": "demo", ');
      harness.sendRaw('"tool": "echo", "parameters": {"text": "still here"}}}\r\n');
      expect(await harness.streamed('halfway')).toEqual([{ type: 'text', text: 'still here' }]);
      const warnings = harness.lines.filter((line) => line.event === 'log' && line.data.level === 'warn');
      expect(warnings.map((line) => line.data.message)).toEqual([
        'ignored an input line (not JSON): this is not json',
        'ignored an input line (not a JSON object): [1, 2]',
        'ignored an input line (unknown event "bogus"): {"event":"bogus","session_id":"z"}',
        'ignored an input line (backwards_request_id must be a non-empty string): {"session_id":"z","event":"backwards_response","data":{}}',
      ]);
      expect(harness.lines.filter((line) => line.event === 'session')).toHaveLength(2);
    });

    it('drops a line longer than the limit and logs it', async () => {
      harness = new Harness(demo(), { maxLineLength: 300 });
      harness.request('big', invoke('echo', { text: 'x'.repeat(500) }));
      harness.request('small', invoke('echo', { text: 'ok' }));
      expect(await harness.streamed('small')).toEqual([{ type: 'text', text: 'ok' }]);
      expect(harness.sessionLines('big')).toEqual([]);
      expect(
        harness.lines.some(
          (line) => line.event === 'log' && /ignored an input line of \d+ characters/.test(line.data.message),
        ),
      ).toBe(true);
    });
  });

  describe('concurrency', () => {
    it('runs sessions side by side: a later session can finish while an earlier one waits', async () => {
      const held = gate();
      const waiting = defineTool({
        name: 'waiting',
        async *invoke() {
          yield 'a1';
          await held.promise;
          yield 'a2';
        },
      });
      harness = new Harness(demo([waiting, echo]));
      harness.request('A', invoke('waiting'));
      await harness.waitFor((line) => line.session_id === 'A');
      harness.request('B', invoke('echo', { text: 'b', times: 3 }));
      expect((await harness.streamed('B')).length).toBe(3);
      expect(harness.sessionLines('A').map((line) => line.data.type)).toEqual(['stream']);
      held.open();
      expect(await harness.streamed('A')).toEqual([
        { type: 'text', text: 'a1' },
        { type: 'text', text: 'a2' },
      ]);
      const order = harness.lines.filter((l) => l.event === 'session').map((l) => `${l.session_id}:${l.data.type}`);
      expect(order.indexOf('B:end')).toBeLessThan(order.indexOf('A:end'));
    });

    it('keeps 50 concurrent sessions apart', async () => {
      harness = new Harness(demo());
      for (let i = 0; i < 50; i++) harness.request(`s${i}`, invoke('echo', { text: `n${i}`, times: 2 }));
      for (let i = 0; i < 50; i++) {
        expect(await harness.streamed(`s${i}`)).toEqual([
          { type: 'text', text: `n${i}` },
          { type: 'text', text: `n${i}` },
        ]);
      }
    });
  });

  describe('cancel', () => {
    it('aborts the signal, ends the session with Cancelled and sends nothing more for it', async () => {
      const held = gate();
      let aborted = false;
      const long = defineTool({
        name: 'long',
        async *invoke(_args, ctx) {
          ctx.signal.addEventListener('abort', () => (aborted = true));
          yield 'started';
          await held.promise;
          yield 'too late';
        },
      });
      harness = new Harness(demo([long]));
      harness.request('s1', invoke('long'));
      await harness.waitFor((line) => line.session_id === 's1');
      harness.send({ session_id: 's1', event: 'cancel', data: { reason: 'user stopped' } });
      const lines = await harness.session('s1');
      expect(lines.map((line) => line.data.type)).toEqual(['stream', 'error']);
      expect(lines[1].data.data).toEqual({ error_type: 'Cancelled', message: 'cancelled: user stopped' });
      expect(aborted).toBe(true);
      held.open();
      await new Promise((resolve) => setImmediate(resolve));
      expect(harness.sessionLines('s1')).toHaveLength(2);
    });
  });

  describe('backwards calls', () => {
    it('invokes the workspace LLM: an invoke message out, streamed responses back, awaited as text', async () => {
      const ask = defineTool({
        name: 'ask',
        parameters: [{ name: 'q', type: 'string', required: true }],
        async invoke(args, ctx) {
          const answer = ctx.invokeLlm({
            provider: 'openai',
            model: 'gpt-4o-mini',
            prompt_messages: [{ role: 'user', content: args.q }],
          });
          return `model says: ${await answer.text()}`;
        },
      });
      harness = new Harness(demo([ask]));
      harness.request('s1', invoke('ask', { q: 'hello?' }));
      const call = await harness.waitFor((line) => line.data?.type === 'invoke');
      expect(call).toEqual({
        session_id: 's1',
        event: 'session',
        data: {
          type: 'invoke',
          data: {
            type: 'llm',
            backwards_request_id: expect.any(String),
            request: {
              stream: true,
              provider: 'openai',
              model: 'gpt-4o-mini',
              prompt_messages: [{ role: 'user', content: 'hello?' }],
            },
          },
        },
      });
      const id = call.data.data.backwards_request_id;
      for (const content of ['Hel', 'lo']) {
        harness.send({
          session_id: 's1',
          event: 'backwards_response',
          data: {
            backwards_request_id: id,
            event: 'response',
            data: { delta: { index: 0, message: { role: 'assistant', content } } },
          },
        });
      }
      harness.send({ session_id: 's1', event: 'backwards_response', data: { backwards_request_id: id, event: 'end' } });
      expect(await harness.streamed('s1')).toEqual([{ type: 'text', text: 'model says: Hello' }]);
    });

    it('round-trips storage get, set and delete, with values in base64', async () => {
      const counter = defineTool({
        name: 'count',
        async invoke(_args, ctx) {
          const before = await ctx.storage.get('hits');
          const hits = before === null ? 1 : Number(before.toString('utf8')) + 1;
          await ctx.storage.set('hits', String(hits));
          await ctx.storage.delete('old');
          return `hits=${hits}`;
        },
      });
      harness = new Harness(demo([counter]));
      const store = new Map<string, string>([['hits', Buffer.from('41').toString('base64')]]);
      const requests: unknown[] = [];
      harness.serveBackwards(({ type, request }) => {
        requests.push({ type, ...request });
        if (request.opt === 'get') return [{ value: store.get(request.key) ?? null }];
        if (request.opt === 'set') store.set(request.key, request.value);
        else store.delete(request.key);
        return [{ ok: true }];
      });
      harness.request('s1', invoke('count'));
      expect(await harness.streamed('s1')).toEqual([{ type: 'text', text: 'hits=42' }]);
      expect(requests).toEqual([
        { type: 'storage', opt: 'get', key: 'hits' },
        { type: 'storage', opt: 'set', key: 'hits', value: Buffer.from('42').toString('base64') },
        { type: 'storage', opt: 'del', key: 'old' },
      ]);
      expect(Buffer.from(store.get('hits')!, 'base64').toString()).toBe('42');
    });

    it('reads an absent storage key as null', async () => {
      harness = new Harness(
        demo([
          defineTool({ name: 'peek', invoke: async (_a, ctx) => `value=${String(await ctx.storage.get('nothing'))}` }),
        ]),
      );
      harness.serveBackwards(() => [{ value: null }]);
      harness.request('s1', invoke('peek'));
      expect(await harness.streamed('s1')).toEqual([{ type: 'text', text: 'value=null' }]);
    });

    it('streams a backwards tool call and fails the call on an error answer', async () => {
      const relay = defineTool({
        name: 'relay',
        async *invoke(_args, ctx) {
          const first = ctx.invokeTool({
            provider_type: 'builtin',
            provider: 'time',
            tool: 'current_time',
            parameters: {},
          });
          for await (const message of first) yield message;
          try {
            await ctx.invokeTool({ provider_type: 'api', provider: 'x', tool: 'y', parameters: {} }).collect();
          } catch (error) {
            yield `second failed: ${(error as PluginError).code}: ${(error as Error).message}`;
          }
        },
      });
      harness = new Harness(demo([relay]));
      harness.request('s1', invoke('relay'));
      const first = await harness.waitFor((line) => line.data?.type === 'invoke');
      expect(first.data.data.request).toEqual({
        provider_type: 'builtin',
        provider: 'time',
        tool: 'current_time',
        parameters: {},
      });
      const id1 = first.data.data.backwards_request_id;
      harness.send({
        session_id: 's1',
        event: 'backwards_response',
        data: { backwards_request_id: id1, event: 'response', data: { type: 'text', text: '12:00' } },
      });
      harness.send({
        session_id: 's1',
        event: 'backwards_response',
        data: { backwards_request_id: id1, event: 'end' },
      });
      const second = await harness.waitFor(
        (line) => line.data?.type === 'invoke' && line.data.data.backwards_request_id !== id1,
      );
      harness.send({
        session_id: 's1',
        event: 'backwards_response',
        data: {
          backwards_request_id: second.data.data.backwards_request_id,
          event: 'error',
          error_type: 'ToolNotFound',
          message: 'no tool y',
        },
      });
      expect(await harness.streamed('s1')).toEqual([
        { type: 'text', text: '12:00' },
        { type: 'text', text: 'second failed: ToolNotFound: no tool y' },
      ]);
    });

    it('ignores a response for a call id it does not know, and times a silent host out', async () => {
      const waiting = defineTool({
        name: 'waiting',
        async invoke(_args, ctx) {
          await ctx.storage.get('k');
        },
      });
      harness = new Harness(demo([waiting]), { backwardsTimeoutMs: 50 });
      harness.send({
        session_id: 's1',
        event: 'backwards_response',
        data: { backwards_request_id: 'nobody', event: 'end' },
      });
      harness.request('s1', invoke('waiting'));
      const [, end] = await harness.session('s1');
      expect(end.data.data.error_type).toBe('Timeout');
    });

    it('fails pending calls with HostClosed when the input ends, then closes', async () => {
      harness = new Harness(
        demo([defineTool({ name: 'w', invoke: async (_a, ctx) => void (await ctx.storage.get('k')) })]),
      );
      harness.request('s1', invoke('w'));
      await harness.waitFor((line) => line.data?.type === 'invoke');
      harness.input.end();
      await harness.runtime.closed;
      expect(harness.sessionLines('s1').at(-1)?.data.data.error_type).toBe('HostClosed');
    });
  });

  describe('heartbeat', () => {
    afterEach(() => jest.useRealTimers());

    it('beats once at start, then every 30 s', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      harness = new Harness(demo(), { heartbeatIntervalMs: undefined });
      const beats = () => harness!.lines.filter((line) => line.event === 'heartbeat');
      await new Promise((resolve) => setImmediate(resolve));
      expect(beats()).toEqual([{ event: 'heartbeat', data: { active_sessions: 0 } }]);
      jest.advanceTimersByTime(29_999);
      await new Promise((resolve) => setImmediate(resolve));
      expect(beats()).toHaveLength(1);
      jest.advanceTimersByTime(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(beats()).toHaveLength(2);
      jest.advanceTimersByTime(60_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(beats()).toHaveLength(4);
    });

    it('takes the interval the host sets in KEEL_PLUGIN_HEARTBEAT_MS', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      process.env.KEEL_PLUGIN_HEARTBEAT_MS = '200';
      try {
        harness = new Harness(demo(), { heartbeatIntervalMs: undefined });
      } finally {
        delete process.env.KEEL_PLUGIN_HEARTBEAT_MS;
      }
      const beats = () => harness!.lines.filter((line) => line.event === 'heartbeat');
      jest.advanceTimersByTime(1_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(beats()).toHaveLength(6);
    });

    it('stops beating when the input ends', async () => {
      harness = new Harness(demo(), { heartbeatIntervalMs: 5 });
      await harness.waitFor(
        (line) => line.event === 'heartbeat' && harness!.lines.filter((l) => l.event === 'heartbeat').length >= 3,
      );
      await harness.close();
      const count = harness.lines.filter((line) => line.event === 'heartbeat').length;
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(harness.lines.filter((line) => line.event === 'heartbeat')).toHaveLength(count);
    });
  });

  describe('model providers', () => {
    const plugin = () =>
      definePlugin({
        models: [
          defineModelProvider({
            name: 'echo_llm',
            models: ['echo-1'],
            validateCredentials: (credentials) => {
              if (credentials.api_key !== 'good') throw new Error('invalid api_key');
            },
            async *invoke(request) {
              const last = request.prompt_messages.at(-1)?.content ?? '';
              for (const word of last.split(' ')) yield `${word} `;
              yield { finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } };
            },
          }),
        ],
      });

    it('streams an LLM answer as chunks with running indexes', async () => {
      harness = new Harness(plugin());
      harness.request('m1', {
        type: 'model',
        action: 'invoke_llm',
        provider: 'echo_llm',
        model: 'echo-1',
        credentials: {},
        prompt_messages: [{ role: 'user', content: 'say it' }],
      });
      expect(await harness.streamed('m1')).toEqual([
        { model: 'echo-1', delta: { index: 0, message: { role: 'assistant', content: 'say ' } } },
        { model: 'echo-1', delta: { index: 1, message: { role: 'assistant', content: 'it ' } } },
        {
          model: 'echo-1',
          delta: {
            index: 2,
            message: { role: 'assistant', content: '' },
            finish_reason: 'stop',
            usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
          },
        },
      ]);
    });

    it('refuses a model it does not serve, and validates credentials', async () => {
      harness = new Harness(plugin());
      harness.request('m1', {
        type: 'model',
        action: 'invoke_llm',
        provider: 'echo_llm',
        model: 'gpt-9',
        prompt_messages: [],
      });
      harness.request('v1', {
        type: 'model',
        action: 'validate_credentials',
        provider: 'echo_llm',
        credentials: { api_key: 'good' },
      });
      harness.request('v2', {
        type: 'model',
        action: 'validate_credentials',
        provider: 'echo_llm',
        credentials: { api_key: 'bad' },
      });
      expect((await harness.session('m1'))[0].data.data.error_type).toBe('ModelNotFound');
      expect(await harness.streamed('v1')).toEqual([{ result: true }]);
      expect((await harness.session('v2'))[0].data.data).toEqual({
        error_type: 'CredentialsValidationFailed',
        message: 'invalid api_key',
      });
    });
  });

  describe('text embedding', () => {
    const plugin = () =>
      definePlugin({
        models: [
          defineModelProvider({
            name: 'vectors',
            embeddingModels: ['len-2'],
            invoke: () => 'unused',
            embed: ({ texts }) => texts.map((text) => [text.length, text.split(' ').length]),
          }),
          defineModelProvider({ name: 'chat_only', invoke: () => 'hi' }),
          defineModelProvider({ name: 'broken', invoke: () => 'hi', embed: () => [[1]] }),
        ],
      });
    const embed = (provider: string, model: string, texts: unknown) => ({
      type: 'model',
      action: 'invoke_text_embedding',
      provider,
      model,
      credentials: {},
      texts,
    });

    it('answers one vector per text, with the tokens counted', async () => {
      harness = new Harness(plugin());
      harness.request('e1', embed('vectors', 'len-2', ['a b c', 'hello']));
      expect(await harness.streamed('e1')).toEqual([
        {
          model: 'len-2',
          embeddings: [
            [5, 3],
            [5, 1],
          ],
          usage: { tokens: 4 },
        },
      ]);
    });

    it('refuses an unknown model, a provider without embed, bad texts and a wrong number of vectors', async () => {
      harness = new Harness(plugin());
      harness.request('e1', embed('vectors', 'other', ['x']));
      harness.request('e2', embed('chat_only', 'm', ['x']));
      harness.request('e3', embed('vectors', 'len-2', [1]));
      harness.request('e4', embed('broken', 'm', ['x', 'y']));
      const typeOf = async (id: string) =>
        ((await harness!.session(id))[0].data.data as { error_type: string }).error_type;
      expect(await typeOf('e1')).toBe('ModelNotFound');
      expect(await typeOf('e2')).toBe('UnsupportedAction');
      expect(await typeOf('e3')).toBe('InvalidRequest');
      expect(await typeOf('e4')).toBe('InvalidResult');
    });
  });

  describe('endpoints', () => {
    const plugin = () =>
      definePlugin({
        endpoints: [
          defineEndpoint({
            method: 'GET',
            path: '/hello/:name',
            handler: (request) => ({
              status: 200,
              body: {
                greeting: `hello ${request.params.name}`,
                lang: request.query.get('lang'),
                agent: request.headers['user-agent'],
              },
            }),
          }),
          defineEndpoint({
            method: ['POST', 'PUT'],
            path: '/echo',
            handler: (request) => ({ status: 201, headers: { 'X-Echo': 'yes' }, body: request.text() }),
          }),
        ],
      });
    const body = (data: any) => Buffer.from(data.body, 'base64').toString('utf8');

    it('dispatches by method and path, with params, query, headers and body', async () => {
      harness = new Harness(plugin());
      harness.request('e1', {
        type: 'endpoint',
        action: 'invoke',
        method: 'get',
        path: '/hello/ada%20l',
        query: 'lang=en',
        headers: { 'User-Agent': 'test' },
      });
      harness.request('e2', {
        type: 'endpoint',
        action: 'invoke',
        method: 'PUT',
        path: '/echo',
        body: Buffer.from('ping').toString('base64'),
      });
      const [hello] = await harness.streamed('e1');
      expect(hello).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' } });
      expect(JSON.parse(body(hello))).toEqual({ greeting: 'hello ada l', lang: 'en', agent: 'test' });
      const [echoed] = await harness.streamed('e2');
      expect(echoed).toMatchObject({
        status: 201,
        headers: { 'x-echo': 'yes', 'content-type': 'text/plain; charset=utf-8' },
      });
      expect(body(echoed)).toBe('ping');
    });

    it('answers an unknown path with EndpointNotFound and a wrong method with MethodNotAllowed', async () => {
      harness = new Harness(plugin());
      harness.request('e1', { type: 'endpoint', action: 'invoke', method: 'GET', path: '/missing' });
      harness.request('e2', { type: 'endpoint', action: 'invoke', method: 'DELETE', path: '/echo' });
      expect((await harness.session('e1'))[0].data.data.error_type).toBe('EndpointNotFound');
      expect((await harness.session('e2'))[0].data.data.error_type).toBe('MethodNotAllowed');
    });
  });

  describe('describe and tool credentials', () => {
    it('describes what is registered, parameters in the YAML shape', async () => {
      harness = new Harness(demo());
      harness.request('d', { type: 'plugin', action: 'describe' });
      const [description] = (await harness.streamed('d')) as any[];
      expect(description.protocol_version).toBe(1);
      expect(description.tools[0].provider).toBe('demo');
      expect(description.tools[0].tools[0].parameters[0]).toEqual({
        name: 'text',
        type: 'string',
        required: true,
        form: 'llm',
        label: { en_US: 'text' },
        llm_description: 'what to echo',
      });
    });

    it('answers validate_credentials for a tool provider without a validator with result true', async () => {
      harness = new Harness(demo());
      harness.request('v', { type: 'tool', action: 'validate_credentials', provider: 'demo', credentials: {} });
      expect(await harness.streamed('v')).toEqual([{ result: true }]);
    });
  });

  describe('console', () => {
    it('turns console output into log messages while running, and restores console after', async () => {
      const original = console.log;
      harness = new Harness(demo(), { captureConsole: true });
      console.log('hello %s', 'there');
      console.warn('careful');
      expect(console.log).not.toBe(original);
      await harness.waitFor((line) => line.event === 'log' && line.data.level === 'warn');
      const logs = harness.lines.filter((line) => line.event === 'log').map((l) => [l.data.level, l.data.message]);
      expect(logs).toEqual([
        ['info', 'hello there'],
        ['warn', 'careful'],
      ]);
      await harness.close();
      expect(console.log).toBe(original);
    });
  });
});
