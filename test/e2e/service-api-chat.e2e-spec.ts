import request from 'supertest';
import { DataSource } from 'typeorm';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { setupOwner } from '../support/console';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { parsePrometheusText, valueOf } from '../support/prometheus-text';
import {
  configureProvider,
  currentWorkspaceId,
  parseSse,
  readRest,
  readUntil,
  type SeededApp,
  seedApp,
} from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/eventually';

const PROVIDER = 'openai_api_compatible';
const modelConfig = (name: string, extra: Record<string, unknown> = {}) => ({
  model: { provider: PROVIDER, name, completion_params: { temperature: 0.3 } },
  pre_prompt: 'You are {{role}}.',
  user_input_form: [{ 'text-input': { label: 'Role', variable: 'role', required: true, max_length: 40 } }],
  ...extra,
});

/** /v1/chat-messages and /v1/completion-messages against the fake OpenAI-compatible upstream. */
describe('Service API: chat and completion messages', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-up'], models: ['gpt-4o-mini'] });
  let t: TestApp;
  let workspaceId: string;
  let chat: SeededApp;
  let completion: SeededApp;

  const post = (app: SeededApp, path: string, body: Record<string, unknown>) =>
    request(t.baseUrl).post(path).set('Authorization', `Bearer ${app.key}`).send(body);
  const stream = (app: SeededApp, path: string, body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${app.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...body, response_mode: 'streaming' }),
      signal,
    });
  const messages = () => t.app.get(DataSource).getRepository(Message);
  const conversations = () => t.app.get(DataSource).getRepository(Conversation);

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0', SSE_PING_INTERVAL_MS: '100' });
    const owner = await setupOwner(t);
    workspaceId = await currentWorkspaceId(t, owner);
    await configureProvider(t, owner, {
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-up',
      models: [{ model: 'gpt-4o-mini', input_price: '0.5', output_price: '1.5' }],
    });
    chat = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini') });
    completion = await seedApp(t, workspaceId, {
      mode: 'completion',
      modelConfig: { ...modelConfig('gpt-4o-mini'), pre_prompt: 'Translate for {{role}}: {{query}}' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  describe('authentication (Dify’s messages)', () => {
    it.each([
      [undefined, "Authorization header must be provided and start with 'Bearer'"],
      ['Bearer', "Authorization header must be provided and start with 'Bearer'"],
      ['Basic abc', "Authorization scheme must be 'Bearer'"],
      ['Bearer app-unknownunknownunknown12', 'Access token is invalid'],
    ])('Authorization %p → 401', async (header, message) => {
      const req = request(t.baseUrl).post('/v1/chat-messages').send({ inputs: {}, query: 'x', user: 'u' });
      const res = await (header ? req.set('Authorization', header) : req).expect(401);
      expect(res.body).toEqual({ code: 'unauthorized', message, status: 401 });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('refuses an app whose API is disabled', async () => {
      const disabled = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini'), enableApi: false });
      const res = await post(disabled, '/v1/chat-messages', { inputs: {}, query: 'x', user: 'u' }).expect(403);
      expect(res.body).toMatchObject({ code: 'app_api_disabled', message: "The app's API service has been disabled." });
    });
  });

  describe('blocking', () => {
    it('answers a chat message with Dify’s body, prices from the model and the upstream’s usage', async () => {
      const res = await post(chat, '/v1/chat-messages', {
        inputs: { role: 'a pirate' },
        query: 'hello there',
        user: 'alice',
        unknown_field: 'ignored',
        files: null,
      }).expect(200);
      expect(res.body).toMatchObject({
        event: 'message',
        mode: 'chat',
        answer: 'You said: hello there',
        metadata: {
          usage: {
            // The fake upstream counts words: "You are a pirate." + "hello there" → 6.
            prompt_tokens: 6,
            completion_tokens: 4,
            total_tokens: 10,
            prompt_unit_price: '0.5',
            prompt_price: '0.0030000',
            completion_price: '0.0060000',
            total_price: '0.0090000',
            currency: 'USD',
          },
          retriever_resources: [],
        },
      });
      expect(res.body.id).toBe(res.body.message_id);
      expect(typeof res.body.task_id).toBe('string');
      expect(typeof res.body.created_at).toBe('number');
      expect(upstream.lastCall()?.body).toMatchObject({
        model: 'gpt-4o-mini',
        temperature: 0.3,
        messages: [
          { role: 'system', content: 'You are a pirate.' },
          { role: 'user', content: 'hello there' },
        ],
      });
      const stored = await messages().findOneByOrFail({ id: res.body.message_id });
      expect(stored).toMatchObject({ status: 'normal', answer: 'You said: hello there', totalPrice: '0.0090000' });
    });

    it('sends earlier turns as alternating messages and reuses the conversation’s inputs', async () => {
      const first = await post(chat, '/v1/chat-messages', {
        inputs: { role: 'a poet' },
        query: 'one',
        user: 'bob',
      }).expect(200);
      const conversation_id = first.body.conversation_id as string;
      await post(chat, '/v1/chat-messages', { inputs: {}, query: 'two', user: 'bob', conversation_id }).expect(200);
      expect(upstream.lastCall()?.body.messages).toEqual([
        { role: 'system', content: 'You are a poet.' },
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'You said: one' },
        { role: 'user', content: 'two' },
      ]);
      expect(await conversations().findOneByOrFail({ id: conversation_id })).toMatchObject({ dialogueCount: 2 });
    });

    it('runs a completion app: the query fills {{query}}', async () => {
      const res = await post(completion, '/v1/completion-messages', {
        inputs: { role: 'kids' },
        query: 'bonjour',
        user: 'u',
      }).expect(200);
      expect(res.body).toMatchObject({
        event: 'message',
        mode: 'completion',
        answer: 'You said: Translate for kids: bonjour',
      });
      expect(res.body).not.toHaveProperty('conversation_id');
    });
  });

  describe('streaming', () => {
    it('streams message events then message_end; the message is committed before message_end', async () => {
      const res = await stream(chat, '/v1/chat-messages', {
        inputs: { role: 'a guide' },
        query: 'stream me please',
        user: 'carol',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const { events, reader } = await readUntil(res, (e) => e.event === 'message_end');
      const end = events.at(-1)!;
      // Read right after message_end arrived: the row is already final.
      expect(await messages().findOneByOrFail({ id: end.message_id as string })).toMatchObject({
        status: 'normal',
        answer: 'You said: stream me please',
        answerTokens: 5,
      });
      expect(await readRest(reader)).toBe('');

      const deltas = events.slice(0, -1);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.every((e) => e.event === 'message')).toBe(true);
      expect(deltas.map((e) => e.answer).join('')).toBe('You said: stream me please');
      for (const e of events) {
        expect(e).toMatchObject({
          task_id: end.task_id,
          message_id: end.message_id,
          id: end.message_id,
          conversation_id: end.conversation_id,
          created_at: end.created_at,
        });
      }
      expect(end.metadata).toMatchObject({ usage: { completion_tokens: 5, currency: 'USD' }, retriever_resources: [] });
    });

    it('writes Dify’s framing only: data lines, and event: ping while the model is slow', async () => {
      const slow = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow') });
      const controller = new AbortController();
      const res = await stream(
        slow,
        '/v1/chat-messages',
        { inputs: { role: 'r' }, query: 'a b c', user: 'dan' },
        controller.signal,
      );
      const { reader } = await readUntil(res, (e) => e.event === 'message');
      // The next word is 30 s away; pings (every 100 ms here) keep the stream alive meanwhile.
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('event: ping\n\n')) text += decoder.decode((await reader.read()).value);
      expect(
        text
          .split('\n\n')
          .filter(Boolean)
          .every((f) => f === 'event: ping'),
      ).toBe(true);
      controller.abort();
    });

    it('ends with an error event carrying Dify’s code when the upstream fails', async () => {
      const quota = await seedApp(t, workspaceId, { modelConfig: modelConfig('error-429') });
      const res = await stream(quota, '/v1/chat-messages', { inputs: { role: 'r' }, query: 'x', user: 'erin' });
      const { events } = parseSse(await res.text());
      expect(events.at(-1)).toMatchObject({ event: 'error', status: 400, code: 'provider_quota_exceeded' });
      expect(events.at(-1)!.message).toMatch(/exceeded your current quota/);
      const stored = await messages().findOneByOrFail({ id: events.at(-1)!.message_id as string });
      expect(stored).toMatchObject({ status: 'error' });
    });
  });

  describe('upstream failures in blocking mode', () => {
    it.each([
      ['error-401', 'provider_not_initialize'],
      ['error-429', 'provider_quota_exceeded'],
      ['error-404', 'model_currently_not_support'],
      ['error-500', 'completion_request_error'],
    ])('%s → 400 %s', async (model, code) => {
      const app = await seedApp(t, workspaceId, { modelConfig: modelConfig(model) });
      const res = await post(app, '/v1/chat-messages', { inputs: { role: 'r' }, query: 'x', user: 'frank' }).expect(
        400,
      );
      expect(res.body).toMatchObject({ code, status: 400 });
    });
  });

  describe('refusals, before anything is written', () => {
    let before: { conversations: number; messages: number };
    beforeEach(async () => {
      before = { conversations: await conversations().count(), messages: await messages().count() };
    });
    afterEach(async () => {
      expect({ conversations: await conversations().count(), messages: await messages().count() }).toEqual(before);
    });

    it.each([
      ['no user', { inputs: { role: 'r' }, query: 'x' }, 400, 'invalid_param', 'Arg user must be provided.'],
      ['no inputs', { query: 'x', user: 'u' }, 400, 'invalid_param', 'inputs is required'],
      ['no query', { inputs: { role: 'r' }, user: 'u' }, 400, 'invalid_param', 'query is required'],
      [
        'a missing required input',
        { inputs: {}, query: 'x', user: 'u' },
        400,
        'invalid_param',
        'role is required in input form',
      ],
      [
        'a too long input',
        { inputs: { role: 'x'.repeat(41) }, query: 'x', user: 'u' },
        400,
        'invalid_param',
        'role in input form must be less than 40 characters',
      ],
      [
        'a non-UUID conversation id',
        { inputs: {}, query: 'x', user: 'u', conversation_id: 'abc' },
        400,
        'invalid_param',
        'conversation_id: "abc" is not a valid UUID.',
      ],
      [
        'an unknown conversation',
        { inputs: {}, query: 'x', user: 'u', conversation_id: '6f1c1f5e-0000-4000-8000-000000000000' },
        404,
        'not_found',
        'Conversation Not Exists.',
      ],
      [
        'a document file',
        {
          inputs: { role: 'r' },
          query: 'x',
          user: 'u',
          files: [{ type: 'document', transfer_method: 'remote_url', url: 'https://x/a.pdf' }],
        },
        415,
        'unsupported_file_type',
        'File type "document" is not supported by this app.',
      ],
      [
        'an image when uploads are off',
        {
          inputs: { role: 'r' },
          query: 'x',
          user: 'u',
          files: [{ type: 'image', transfer_method: 'remote_url', url: 'https://x/a.png' }],
        },
        400,
        'invalid_param',
        'files: image upload is not enabled for this app.',
      ],
    ])('%s', async (_name, body, status, code, message) => {
      const res = await post(chat, '/v1/chat-messages', body).expect(status);
      expect(res.body).toEqual({ code, message, status });
    });

    it('keeps another end user’s conversation hidden (404)', async () => {
      const mine = await post(chat, '/v1/chat-messages', { inputs: { role: 'r' }, query: 'mine', user: 'gina' }).expect(
        200,
      );
      before = { conversations: await conversations().count(), messages: await messages().count() };
      const res = await post(chat, '/v1/chat-messages', {
        inputs: {},
        query: 'x',
        user: 'someone-else',
        conversation_id: mine.body.conversation_id,
      }).expect(404);
      expect(res.body.message).toBe('Conversation Not Exists.');
      const otherApp = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini') });
      await post(otherApp, '/v1/chat-messages', {
        inputs: {},
        query: 'x',
        user: 'gina',
        conversation_id: mine.body.conversation_id,
      }).expect(404);
    });

    it('gates app modes, unconfigured apps and unconfigured providers', async () => {
      expect(
        (await post(completion, '/v1/chat-messages', { inputs: {}, query: 'x', user: 'u' }).expect(400)).body.code,
      ).toBe('not_chat_app');
      expect((await post(chat, '/v1/completion-messages', { inputs: {}, user: 'u' }).expect(400)).body.code).toBe(
        'app_unavailable',
      );
      const bare = await seedApp(t, workspaceId);
      expect((await post(bare, '/v1/chat-messages', { inputs: {}, query: 'x', user: 'u' }).expect(400)).body.code).toBe(
        'app_unavailable',
      );
      const openai = await seedApp(t, workspaceId, { modelConfig: { model: { provider: 'openai', name: 'gpt-4o' } } });
      const res = await post(openai, '/v1/chat-messages', { inputs: {}, query: 'x', user: 'u' }).expect(400);
      expect(res.body.code).toBe('provider_not_initialize');
    });
  });

  it('sends images to the model as image_url parts when the app allows them', async () => {
    const vision = await seedApp(t, workspaceId, {
      modelConfig: modelConfig('gpt-4o-mini', {
        file_upload: { image: { enabled: true, number_limits: 1, detail: 'low' } },
      }),
    });
    const image = { type: 'image', transfer_method: 'remote_url', url: 'https://images.example.com/cat.png' };
    await post(vision, '/v1/chat-messages', {
      inputs: { role: 'r' },
      query: 'what is this',
      user: 'u',
      files: [image],
    }).expect(200);
    expect(upstream.lastCall()?.body.messages.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this' },
        { type: 'image_url', image_url: { url: 'https://images.example.com/cat.png', detail: 'low' } },
      ],
    });
    const two = await post(vision, '/v1/chat-messages', {
      inputs: { role: 'r' },
      query: 'x',
      user: 'u',
      files: [image, image],
    }).expect(400);
    expect(two.body.code).toBe('too_many_files');
  });

  describe('stopping', () => {
    it('stops a running stream on request of its end user; the partial answer is kept', async () => {
      const slow = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow') });
      const res = await stream(slow, '/v1/chat-messages', {
        inputs: { role: 'r' },
        query: 'one two three',
        user: 'hal',
      });
      const { events, reader } = await readUntil(res, (e) => e.event === 'message');
      const taskId = events[0].task_id as string;
      const upstreamCall = upstream.lastCall()!;
      // A turn is written once, when it ends: in flight, neither it nor its new conversation is stored.
      expect(await messages().findOneBy({ id: events[0].message_id as string })).toBeNull();
      const conversationId = events[0].conversation_id as string;
      expect(await t.app.get(DataSource).getRepository(Conversation).findOneBy({ id: conversationId })).toBeNull();

      // Someone else's stop is answered alike and does nothing.
      await post(slow, `/v1/chat-messages/${taskId}/stop`, { user: 'not-hal' }).expect(200, { result: 'success' });
      await post(slow, `/v1/chat-messages/${taskId}/stop`, { user: 'hal' }).expect(200, { result: 'success' });
      const rest = parseSse(await readRest(reader)).events;
      expect(rest.at(-1)).toMatchObject({ event: 'message_end', task_id: taskId });
      const stored = await messages().findOneByOrFail({ id: events[0].message_id as string });
      expect(stored).toMatchObject({ status: 'stopped', answer: 'You', conversationId });
      expect(await t.app.get(DataSource).getRepository(Conversation).findOneBy({ id: conversationId })).toMatchObject({
        dialogueCount: 1,
      });
      await eventually(() => upstreamCall.aborted);
    });

    it('aborts the upstream call when the client disconnects, and stores the message as stopped', async () => {
      const slow = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow') });
      const controller = new AbortController();
      const res = await stream(
        slow,
        '/v1/chat-messages',
        { inputs: { role: 'r' }, query: 'leaving now', user: 'ivy' },
        controller.signal,
      );
      const { events } = await readUntil(res, (e) => e.event === 'message');
      const upstreamCall = upstream.lastCall()!;
      controller.abort();
      const id = events[0].message_id as string;
      // A turn is written when it ends, here when the upstream call has been aborted.
      await eventually(async () => (await messages().findOneBy({ id })) !== null);
      expect(await messages().findOneByOrFail({ id })).toMatchObject({ status: 'stopped', answer: 'You' });
      await eventually(() => upstreamCall.aborted);
    });
  });

  describe('limits', () => {
    it('refuses requests beyond the app’s requests per minute with Retry-After', async () => {
      const limited = await seedApp(t, workspaceId, { modelConfig: modelConfig('gpt-4o-mini'), apiRpm: 2 });
      const body = { inputs: { role: 'r' }, query: 'x', user: 'u' };
      await post(limited, '/v1/chat-messages', body).expect(200);
      await post(limited, '/v1/chat-messages', body).expect(200);
      const res = await post(limited, '/v1/chat-messages', body).expect(429);
      expect(res.body.code).toBe('rate_limit_error');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses a request beyond the app’s concurrent requests until one finishes', async () => {
      const single = await seedApp(t, workspaceId, { modelConfig: modelConfig('slow'), apiMaxActiveRequests: 1 });
      const body = { inputs: { role: 'r' }, query: 'x y', user: 'jo' };
      const first = await stream(single, '/v1/chat-messages', body);
      const { events, reader } = await readUntil(first, (e) => e.event === 'message');
      const busy = await post(single, '/v1/chat-messages', body).expect(429);
      expect(busy.body.code).toBe('rate_limit_error');
      expect(busy.body.message).toMatch(/maximum concurrent requests/);
      await post(single, `/v1/chat-messages/${events[0].task_id as string}/stop`, { user: 'jo' }).expect(200);
      await readRest(reader);
      const again = await stream(single, '/v1/chat-messages', body);
      expect(again.status).toBe(200);
      const next = await readUntil(again, (e) => e.event === 'message');
      await post(single, `/v1/chat-messages/${next.events[0].task_id as string}/stop`, { user: 'jo' }).expect(200);
      await readRest(next.reader);
    });
  });

  it('counts model calls, tokens and streams in /metrics', async () => {
    const samples = parsePrometheusText((await request(t.baseUrl).get('/metrics').expect(200)).text);
    const labels = { provider: PROVIDER, model: 'gpt-4o-mini' };
    expect(valueOf(samples, 'keel_model_calls_total', { ...labels, outcome: 'success' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'keel_model_tokens_total', { ...labels, direction: 'output' })).toBeGreaterThan(0);
    expect(
      valueOf(samples, 'keel_model_calls_total', { provider: PROVIDER, model: 'slow', outcome: 'stopped' }),
    ).toBeGreaterThan(0);
    expect(valueOf(samples, 'keel_sse_streams_active', { api: 'service_api' })).toBe(0);
  });
});
