import OpenAI, { APIError } from 'openai';
import request from 'supertest';
import { DataSource, IsNull } from 'typeorm';
import { WorkspaceApiKey } from '../../src/modules/api-keys/workspace-api-key.entity';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { eventually } from '../support/eventually';
import { bearer, type Session, setupOwner } from '../support/console';
import { FakeOpenAiUpstream, PACED_GAP_MS } from '../support/fake-openai-upstream';
import { configureProvider, currentWorkspaceId, type SeededApp, seedApp } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

const PROVIDER = 'openai_api_compatible';
const KEEPALIVE_MS = 100;
const modelConfig = (name: string, extra: Record<string, unknown> = {}) => ({
  model: { provider: PROVIDER, name, completion_params: { temperature: 0.3, max_tokens: 50 } },
  pre_prompt: 'You are a pirate.',
  ...extra,
});

/** The OpenAI-compatible API through the official `openai` SDK, against the fake upstream. */
describe('OpenAI-compatible API (openai SDK)', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-up'], models: ['gpt-4o-mini'] });
  let t: TestApp;
  let owner: Session;
  let workspaceId: string;
  let chat: SeededApp;
  let completion: SeededApp;

  const client = (app: SeededApp | string, options: { maxRetries?: number } = {}) =>
    new OpenAI({
      apiKey: typeof app === 'string' ? app : app.key,
      baseURL: `${t.baseUrl}/v1`,
      maxRetries: options.maxRetries ?? 0,
    });
  const ds = () => t.app.get(DataSource);
  const post = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    request(t.baseUrl)
      .post('/v1/chat/completions')
      .set({ Authorization: `Bearer ${key}`, ...headers })
      .send(body as object);
  const fetchStream = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ ...body, stream: true }),
    });
  /** The error an SDK call threw. */
  const failure = async (call: Promise<unknown>): Promise<APIError> => {
    try {
      await call;
    } catch (error) {
      if (error instanceof APIError) return error;
      throw error;
    }
    throw new Error('the call succeeded');
  };

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0', SSE_PING_INTERVAL_MS: String(KEEPALIVE_MS) });
    owner = await setupOwner(t);
    workspaceId = await currentWorkspaceId(t, owner);
    await configureProvider(t, owner, {
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-up',
      models: [{ model: 'gpt-4o-mini', input_price: '0.5', output_price: '1.5' }],
    });
    chat = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini') });
    completion = await seedApp(t, workspaceId, {
      mode: 'completion',
      modelConfig: modelConfig('gpt-4o-mini', { pre_prompt: 'Translate into French: {{query}}' }),
    });
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  describe('models', () => {
    it('an app key sees its own app as one model, by its slug', async () => {
      const page = await client(chat).models.list();
      expect(page.data).toEqual([
        {
          id: chat.app.slug,
          object: 'model',
          created: Math.floor(chat.app.createdAt.getTime() / 1000),
          owned_by: expect.any(String),
        },
      ]);
      const one = await client(chat).models.retrieve(chat.app.slug);
      expect(one.id).toBe(chat.app.slug);
    });

    it('another id is 404 model_not_found', async () => {
      const error = await failure(client(chat).models.retrieve(completion.app.slug));
      expect(error.status).toBe(404);
      expect(error.error).toEqual({
        message: `The model \`${completion.app.slug}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      });
    });

    it('an app without a model configured is not a model', async () => {
      const bare = await seedApp(t, workspaceId);
      expect((await client(bare).models.list()).data).toEqual([]);
    });
  });

  describe('chat completions', () => {
    it('answers a chat.completion with the app prompt first, usage, and the overhead header', async () => {
      const { data, response } = await client(chat)
        .chat.completions.create({ model: chat.app.slug, messages: [{ role: 'user', content: 'hello there' }] })
        .withResponse();
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Number(response.headers.get('x-keel-overhead-ms'))).toBeGreaterThanOrEqual(0);
      expect(data).toEqual({
        id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: chat.app.slug,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'You said: hello there' },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        // The fake upstream counts words: "You are a pirate." + "hello there" → 6; the answer 4.
        usage: { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 },
      });
      expect(upstream.lastCall()!.body.messages).toEqual([
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: 'hello there' },
      ]);
    });

    it('passes the dialogue as sent (no stored memory), request parameters over the app’s', async () => {
      await client(chat).chat.completions.create({
        model: chat.app.slug,
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'second' }] },
        ],
        temperature: 0.9,
        top_p: 0.5,
        max_completion_tokens: 20,
        stop: ['END'],
        user: 'bob',
      });
      const sent = upstream.lastCall()!.body;
      expect(sent.messages).toEqual([
        { role: 'system', content: 'You are a pirate.' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ]);
      expect(sent).toMatchObject({
        temperature: 0.9,
        top_p: 0.5,
        max_tokens: 50,
        max_completion_tokens: 20,
        stop: ['END'],
      });
    });

    it('stores each stateless call as a message without a conversation', async () => {
      const before = await ds()
        .getRepository(Conversation)
        .count({ where: { appId: chat.app.id } });
      const res = await client(chat).chat.completions.create({
        model: chat.app.slug,
        messages: [{ role: 'user', content: 'remember me' }],
        user: 'stateless-user',
      });
      const id = res.id.replace('chatcmpl-', '').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      const stored = await ds().getRepository(Message).findOneByOrFail({ id });
      expect(stored).toMatchObject({
        conversationId: null,
        query: 'remember me',
        answer: 'You said: remember me',
        status: 'normal',
      });
      expect(
        await ds()
          .getRepository(Conversation)
          .count({ where: { appId: chat.app.id } }),
      ).toBe(before);
    });

    it('ends a stateless stream before its turn is written, then writes it', async () => {
      const stream = await client(chat).chat.completions.create({
        model: chat.app.slug,
        messages: [{ role: 'user', content: 'log me after' }],
        stream: true,
        user: 'stateless-stream-user',
      });
      let id = '';
      let text = '';
      for await (const chunk of stream) {
        id = chunk.id;
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe('You said: log me after');
      const messageId = id.replace('chatcmpl-', '').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      await eventually(
        async () => (await ds().getRepository(Message).findOneBy({ id: messageId }))?.status === 'normal',
        'turn stored after the stream ended',
      );
      expect(await ds().getRepository(Message).findOneByOrFail({ id: messageId })).toMatchObject({
        conversationId: null,
        query: 'log me after',
        answer: 'You said: log me after',
        messageTokens: expect.any(Number) as number,
      });
    });

    it('runs a completion app: the last user message fills {{query}}', async () => {
      const res = await client(completion).chat.completions.create({
        model: completion.app.slug,
        messages: [{ role: 'user', content: 'good morning' }],
      });
      expect(upstream.lastCall()!.body.messages).toEqual([
        { role: 'user', content: 'Translate into French: good morning' },
      ]);
      expect(res.choices[0].message.content).toBe('You said: Translate into French: good morning');
    });

    it('takes the app’s input variables from the `inputs` extension, and refuses missing required ones', async () => {
      const withInputs = await seedApp(t, workspaceId, {
        modelConfig: modelConfig('gpt-4o-mini', {
          pre_prompt: 'You are {{role}}.',
          user_input_form: [{ 'text-input': { label: 'Role', variable: 'role', required: true } }],
        }),
      });
      const params = { model: withInputs.app.slug, messages: [{ role: 'user' as const, content: 'hi' }] };
      const error = await failure(client(withInputs).chat.completions.create(params));
      expect(error.status).toBe(400);
      expect(error.error).toMatchObject({ type: 'invalid_request_error', param: 'role' });
      await client(withInputs).chat.completions.create({ ...params, inputs: { role: 'a cat' } } as never);
      expect(upstream.lastCall()!.body.messages[0]).toEqual({ role: 'system', content: 'You are a cat.' });
    });
  });

  describe('streaming', () => {
    it('streams role, content deltas, finish_reason, then usage with include_usage', async () => {
      const stream = await client(chat).chat.completions.create({
        model: chat.app.slug,
        messages: [{ role: 'user', content: 'stream this please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: stream this please');
      const finish = chunks.at(-2)!;
      expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
      expect(chunks.at(-1)).toMatchObject({
        object: 'chat.completion.chunk',
        choices: [],
        usage: { total_tokens: 12 },
      });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    });

    it('frames the wire as OpenAI does: SSE content type, the overhead header, [DONE] last, no usage without asking', async () => {
      const res = await fetchStream(chat.key, { model: chat.app.slug, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(Number(res.headers.get('x-keel-overhead-ms'))).toBeGreaterThanOrEqual(0);
      const frames = (await res.text()).split('\n\n').filter(Boolean);
      expect(frames.at(-1)).toBe('data: [DONE]');
      for (const frame of frames.slice(0, -1)) {
        const chunk = JSON.parse(frame.replace(/^data: /, '')) as Record<string, unknown>;
        expect(chunk).not.toHaveProperty('usage');
        expect(chunk.object).toBe('chat.completion.chunk');
      }
    });

    it('holds a slow stream open with `: keep-alive` comments, which the SDK parses through', async () => {
      const paced = await seedApp(t, workspaceId, { modelConfig: modelConfig('paced') });
      const raw = await fetchStream(paced.key, { model: paced.app.slug, messages: [{ role: 'user', content: 'a b' }] });
      const body = await raw.text();
      expect(body).toContain(': keep-alive\n\n');
      expect(body).not.toContain('event: ping');
      expect(PACED_GAP_MS).toBeGreaterThan(KEEPALIVE_MS * 2);

      const stream = await client(paced).chat.completions.create({
        model: paced.app.slug,
        messages: [{ role: 'user', content: 'slow words' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('You said: slow words');
    });

    it('aborts the model call when the client aborts mid-stream, and stores the turn as stopped', async () => {
      const slow = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow') });
      const controller = new AbortController();
      const stream = await client(slow).chat.completions.create(
        { model: slow.app.slug, messages: [{ role: 'user', content: 'never ends' }], stream: true },
        { signal: controller.signal },
      );
      let id = '';
      // The SDK ends an aborted stream's iteration quietly.
      for await (const chunk of stream) {
        id = chunk.id;
        if (chunk.choices[0]?.delta.content) controller.abort();
      }
      expect(id).toMatch(/^chatcmpl-/);
      await eventually(() => upstream.lastCall()!.aborted, 'upstream call aborted');
      const messageId = id.replace('chatcmpl-', '').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      await eventually(
        async () => (await ds().getRepository(Message).findOneBy({ id: messageId }))?.status === 'stopped',
        'turn stored as stopped',
      );
    });

    it('a model failing mid-stream ends the stream with an error the SDK throws', async () => {
      const broken = await seedApp(t, workspaceId, { modelConfig: modelConfig('error-in-stream') });
      const stream = await client(broken).chat.completions.create({
        model: broken.app.slug,
        messages: [{ role: 'user', content: 'one two three four' }],
        stream: true,
      });
      const error = await failure(
        (async () => {
          for await (const chunk of stream) void chunk;
        })(),
      );
      expect(error.message).toContain('The model crashed mid-answer.');
    });
  });

  describe('errors, in OpenAI’s envelope', () => {
    it.each([
      ['no key', undefined, 'invalid_api_key'],
      ['an unknown app key', 'Bearer app-unknownunknownunknown12', 'invalid_api_key'],
      ['an unknown workspace key', 'Bearer sk-keel-unknownunknownunknownunknownunknown12', 'invalid_api_key'],
      ['another scheme', 'Basic abc', 'invalid_api_key'],
    ])('%s → 401', async (_name, header, code) => {
      const req = request(t.baseUrl).get('/v1/models');
      const res = await (header ? req.set('Authorization', header) : req).expect(401);
      expect(res.body).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
      });
    });

    it('the SDK sees an unknown key as AuthenticationError', async () => {
      const error = await failure(client('app-unknownunknownunknown12').models.list());
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.code).toBe('invalid_api_key');
    });

    it('a model other than the key’s app → 404 model_not_found; the field is never ignored', async () => {
      const error = await failure(
        client(chat).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.code).toBe('model_not_found');
    });

    it.each([
      ['n = 2', { n: 2 }, 'n'],
      ['a tool message', { messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] }, 'messages.0.role'],
      ['no messages', { messages: [] }, 'messages'],
      ['temperature 3', { temperature: 3 }, 'temperature'],
      ['no user message', { messages: [{ role: 'system', content: 'x' }] }, 'messages'],
      [
        'an image for an app without image upload',
        {
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
          ],
        },
        'messages',
      ],
    ])('%s → 400 invalid_request_error naming the field, nothing stored', async (_name, change, param) => {
      const before = await ds()
        .getRepository(Message)
        .count({ where: { appId: chat.app.id } });
      const res = await post(chat.key, {
        model: chat.app.slug,
        messages: [{ role: 'user', content: 'x' }],
        ...change,
      }).expect(400);
      expect(res.body).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param, code: null },
      });
      expect(
        await ds()
          .getRepository(Message)
          .count({ where: { appId: chat.app.id } }),
      ).toBe(before);
    });

    it.each(['X-Conversation-Id', 'X-OpenWebUI-Chat-Id', 'X-OpenWebUI-User-Id'])(
      'a %s over 255 characters → 400 naming the header, nothing stored',
      async (name) => {
        const before = await ds().getRepository(Message).count();
        const res = await post(
          chat.key,
          { model: chat.app.slug, messages: [{ role: 'user', content: 'x' }] },
          { [name]: 'x'.repeat(256) },
        ).expect(400);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: name.toLowerCase() });
        expect(await ds().getRepository(Message).count()).toBe(before);
      },
    );

    it('a malformed JSON body → 400 in OpenAI’s envelope', async () => {
      const res = await request(t.baseUrl)
        .post('/v1/chat/completions')
        .set({ Authorization: `Bearer ${chat.key}`, 'Content-Type': 'application/json' })
        .send('{"model": ')
        .expect(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: null });
    });

    it('over the app’s requests per minute → 429 rate_limit_exceeded with Retry-After', async () => {
      const limited = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini'), apiRpm: 1 });
      await client(limited).models.list();
      const error = await failure(client(limited).models.list());
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('requests');
      expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    });

    it.each([
      ['error-500', 'upstream_error'],
      ['error-401', 'upstream_auth_failed'],
    ])('a model call failing before the stream (%s) → 502, not retried by the SDK', async (model, code) => {
      const failing = await seedApp(t, workspaceId, { modelConfig: modelConfig(model) });
      const calls = upstream.calls.length;
      const error = await failure(
        client(failing, { maxRetries: 2 }).chat.completions.create({
          model: failing.app.slug,
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        }),
      );
      expect(error.status).toBe(502);
      expect(error.error).toMatchObject({ type: 'upstream_error', code });
      expect(error.headers?.get('x-should-retry')).toBe('false');
      expect(upstream.calls.length - calls).toBe(1);
      const stored = await ds().getRepository(Message).findOneByOrFail({ appId: failing.app.id });
      expect(stored.status).toBe('error');
    });

    it.each([
      '/v1/completions',
      '/v1/embeddings',
      '/v1/responses',
      '/v1/moderations',
      '/v1/images/generations',
      '/v1/audio/speech',
    ])('unserved OpenAI path %s → 404 in OpenAI’s envelope', async (path) => {
      const res = await request(t.baseUrl).post(path).set('Authorization', `Bearer ${chat.key}`).send({}).expect(404);
      expect(res.body).toEqual({
        error: {
          message: expect.stringContaining(path),
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
    });

    it('every other unknown /v1 path keeps Dify’s envelope', async () => {
      const res = await request(t.baseUrl)
        .get('/v1/no-such-thing')
        .set('Authorization', `Bearer ${chat.key}`)
        .expect(404);
      expect(res.body).toMatchObject({ code: 'not_found', status: 404 });
    });
  });

  describe('conversations', () => {
    it('binds X-Conversation-Id to a Keel conversation, stores each turn, and Dify’s API lists it', async () => {
      const headers = { 'X-Conversation-Id': 'ext-chat-1' };
      const sdk = client(chat);
      await sdk.chat.completions.create(
        { model: chat.app.slug, messages: [{ role: 'user', content: 'turn one' }], user: 'carol' },
        { headers },
      );
      await sdk.chat.completions.create(
        {
          model: chat.app.slug,
          messages: [
            { role: 'user', content: 'turn one' },
            { role: 'assistant', content: 'You said: turn one' },
            { role: 'user', content: 'turn two' },
          ],
          user: 'carol',
        },
        { headers },
      );
      // Memory is the client's: the second call's prompt is exactly what was sent.
      expect(upstream.lastCall()!.body.messages).toHaveLength(4);
      const listed = await request(t.baseUrl)
        .get('/v1/conversations?user=carol')
        .set('Authorization', `Bearer ${chat.key}`)
        .expect(200);
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data[0]).toMatchObject({ name: 'turn one' });
      const messages = await request(t.baseUrl)
        .get(`/v1/messages?user=carol&conversation_id=${listed.body.data[0].id as string}`)
        .set('Authorization', `Bearer ${chat.key}`)
        .expect(200);
      const turns = messages.body.data as { query: string; answer: string }[];
      expect(turns.map((m) => [m.query, m.answer])).toEqual([
        ['turn one', 'You said: turn one'],
        ['turn two', 'You said: turn two'],
      ]);
    });

    it('a deleted conversation lets its external id start a new one', async () => {
      const headers = { 'X-Conversation-Id': 'ext-chat-2' };
      const ask = () =>
        client(chat).chat.completions.create(
          { model: chat.app.slug, messages: [{ role: 'user', content: 'again' }], user: 'dave' },
          { headers },
        );
      await ask();
      const first = await ds().getRepository(Conversation).findOneByOrFail({ externalId: 'ext-chat-2' });
      await request(t.baseUrl)
        .delete(`/v1/conversations/${first.id}`)
        .set('Authorization', `Bearer ${chat.key}`)
        .send({ user: 'dave' })
        .expect(204);
      await ask();
      const second = await ds().getRepository(Conversation).findOneByOrFail({ externalId: 'ext-chat-2' });
      expect(second.id).not.toBe(first.id);
      expect(await ds().getRepository(Conversation).findOneByOrFail({ id: first.id })).toMatchObject({
        status: 'deleted',
        externalId: null,
      });
    });

    it('replays Open WebUI: /models, then a streamed completion with its X-OpenWebUI-* headers', async () => {
      const owui = {
        Authorization: `Bearer ${chat.key}`,
        'X-OpenWebUI-User-Name': 'Erin',
        'X-OpenWebUI-User-Id': 'owui-user-42',
        'X-OpenWebUI-User-Email': 'erin@example.com',
        'X-OpenWebUI-User-Role': 'user',
      };
      const models = await fetch(`${t.baseUrl}/v1/models`, { headers: owui });
      const { data } = (await models.json()) as { data: { id: string }[] };
      expect(data.map((m) => m.id)).toEqual([chat.app.slug]);

      const chatId = '6c0d9b0e-4a5b-4c1e-9a64-2f1f5c1e7a10';
      const res = await fetch(`${t.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...owui, 'Content-Type': 'application/json', 'X-OpenWebUI-Chat-Id': chatId },
        body: JSON.stringify({
          model: data[0].id,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'What is Keel?' }],
        }),
      });
      expect(res.status).toBe(200);
      expect((await res.text()).endsWith('data: [DONE]\n\n')).toBe(true);

      const listed = await request(t.baseUrl)
        .get('/v1/conversations?user=owui-user-42')
        .set('Authorization', `Bearer ${chat.key}`)
        .expect(200);
      expect(listed.body.data).toEqual([expect.objectContaining({ name: 'What is Keel?' })]);
      const stored = await ds().getRepository(Conversation).findOneByOrFail({ externalId: chatId });
      expect(stored.id).toBe(listed.body.data[0].id);
      expect(
        await ds()
          .getRepository(Message)
          .count({ where: { conversationId: stored.id } }),
      ).toBe(1);
    });

    it('a completion app stores no conversation even with the header', async () => {
      await client(completion).chat.completions.create(
        { model: completion.app.slug, messages: [{ role: 'user', content: 'x' }] },
        { headers: { 'X-Conversation-Id': 'ext-completion' } },
      );
      expect(await ds().getRepository(Conversation).countBy({ externalId: 'ext-completion' })).toBe(0);
      expect(
        await ds().getRepository(Message).countBy({ appId: completion.app.id, conversationId: IsNull() }),
      ).toBeGreaterThan(0);
    });
  });

  describe('workspace API keys (sk-keel-…)', () => {
    const createKey = async (body: Record<string, unknown> = {}) =>
      (
        await request(t.baseUrl)
          .post('/console/api/workspaces/current/api-keys')
          .set(bearer(owner.access))
          .send({ name: 'openai clients', ...body })
          .expect(201)
      ).body as { id: string; token: string };

    it('sees every runnable, API-enabled app of the workspace', async () => {
      const disabled = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini'), enableApi: false });
      const unconfigured = await seedApp(t, workspaceId);
      const { token } = await createKey();
      const ids = (await client(token).models.list()).data.map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining([chat.app.slug, completion.app.slug]));
      expect(ids).not.toContain(disabled.app.slug);
      expect(ids).not.toContain(unconfigured.app.slug);
      expect([...ids].sort()).toEqual(ids);
      const res = await client(token).chat.completions.create({
        model: completion.app.slug,
        messages: [{ role: 'user', content: 'bonjour' }],
      });
      expect(res.model).toBe(completion.app.slug);
      const error = await failure(
        client(token).chat.completions.create({ model: disabled.app.slug, messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(error.code).toBe('model_not_found');
    });

    it('with an allowlist sees only those apps; any other model is 404', async () => {
      const { token } = await createKey({ app_ids: [chat.app.id] });
      expect((await client(token).models.list()).data.map((m) => m.id)).toEqual([chat.app.slug]);
      const error = await failure(
        client(token).chat.completions.create({
          model: completion.app.slug,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error.status).toBe(404);
      expect(error.code).toBe('model_not_found');
    });

    it('an expired key is 401 invalid_api_key', async () => {
      const { id, token } = await createKey();
      await ds()
        .getRepository(WorkspaceApiKey)
        .update({ id }, { expiresAt: new Date(Date.now() - 1000) });
      const error = await failure(client(token).models.list());
      expect(error.status).toBe(401);
      expect(error.error).toMatchObject({ code: 'invalid_api_key', message: 'This API key has expired.' });
    });

    it('a deleted key is 401 at once', async () => {
      const { id, token } = await createKey();
      await client(token).models.list();
      await request(t.baseUrl)
        .delete(`/console/api/workspaces/current/api-keys/${id}`)
        .set(bearer(owner.access))
        .expect(204);
      expect((await failure(client(token).models.list())).status).toBe(401);
    });

    it('its own requests-per-minute limit → 429 rate_limit_exceeded with Retry-After', async () => {
      const { token } = await createKey({ rpm: 2 });
      await client(token).models.list();
      await client(token).models.list();
      const error = await failure(client(token).models.list());
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.message).toContain('this API key allows 2 requests per minute');
      expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    });

    it('its concurrency limit → 429 while a stream is running, free again after', async () => {
      const slow = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow') });
      const { token } = await createKey({ max_concurrent_requests: 1 });
      const controller = new AbortController();
      const running = await fetch(`${t.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: slow.app.slug, stream: true, messages: [{ role: 'user', content: 'a b c' }] }),
        signal: controller.signal,
      });
      expect(running.status).toBe(200);
      const second = await failure(
        client(token).chat.completions.create({ model: chat.app.slug, messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(second.status).toBe(429);
      expect(second.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      controller.abort();
      await eventually(async () => {
        try {
          await client(token).chat.completions.create({
            model: chat.app.slug,
            messages: [{ role: 'user', content: 'y' }],
          });
          return true;
        } catch {
          return false;
        }
      }, 'the slot given back');
    });
  });
});
