import request from 'supertest';
import { bearer, type Session, setupOwner } from '../support/console';
import { eventually } from '../support/eventually';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import {
  configureProvider,
  currentWorkspaceId,
  parseSse,
  readRest,
  readUntil,
  seedApp,
  type SeededApp,
} from '../support/service-api';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const modelConfig = (name: string) => ({ model: { provider: 'openai_api_compatible', name } });

/** A chat on the production databases: the schema, JSON columns and prices round-trip. */
function chatOn(kind: TestDatabaseKind) {
  const upstream = new FakeOpenAiUpstream();
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    await upstream.start();
    db = await createTestDatabase(kind);
    t = await bootTestApp({ ...db.env, MODEL_REQUEST_MAX_RETRIES: '0' });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await upstream.stop();
  });

  it('runs a multi-turn chat, blocking and streaming', async () => {
    const owner = await setupOwner(t);
    await configureProvider(t, owner, {
      endpoint_url: upstream.baseUrl,
      models: [{ model: 'm1', input_price: '0.001', output_price: '0.002', currency: 'EUR' }],
    });
    const { key } = await seedApp(t, await currentWorkspaceId(t, owner), { modelConfig: modelConfig('m1') });
    const first = await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${key}`)
      .send({ inputs: {}, query: 'first', user: 'u' })
      .expect(200);
    expect(first.body.metadata.usage).toMatchObject({ currency: 'EUR', total_price: '0.0000070' }); // 1 × 0.001 + 3 × 0.002 per 1K
    const res = await fetch(`${t.baseUrl}/v1/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        inputs: {},
        query: 'second',
        user: 'u',
        conversation_id: first.body.conversation_id,
        response_mode: 'streaming',
      }),
    });
    const { events } = parseSse(await res.text());
    expect(events.at(-1)).toMatchObject({ event: 'message_end', conversation_id: first.body.conversation_id });
    expect(upstream.lastCall()?.body.messages).toHaveLength(3);
  });
}

describeWith('postgres', 'Service API chat on PostgreSQL', () => chatOn('postgres'));
describeWith('mariadb', 'Service API chat on MariaDB', () => chatOn('mariadb'));

/** Two API replicas sharing one database and one Redis, as behind a load balancer. */
describeWith('redis', 'Service API across replicas (shared Redis)', () => {
  const upstream = new FakeOpenAiUpstream();
  const prefix = uniqueRedisPrefix('replicas');
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let slow: SeededApp;
  let owner: Session;

  beforeAll(async () => {
    await upstream.start();
    db = await createTestDatabase('sqlite');
    const env = {
      ...db.env,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      SECRET_KEY: 'r'.repeat(40),
    };
    a = await bootTestApp(env);
    b = await bootTestApp(env);
    owner = await setupOwner(a);
    await configureProvider(a, owner, { endpoint_url: upstream.baseUrl });
    slow = await seedApp(a, await currentWorkspaceId(a, owner), {
      modelConfig: modelConfig('slow'),
      apiMaxActiveRequests: 1,
    });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await upstream.stop();
    await deleteRedisKeys(prefix);
  });

  const streamOn = (t: TestApp, user: string) =>
    fetch(`${t.baseUrl}/v1/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${slow.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputs: {}, query: 'x y z', user, response_mode: 'streaming' }),
    });

  it('stops a stream running on one replica from the other, and shares the concurrency limit', async () => {
    const res = await streamOn(a, 'kim');
    const { events, reader } = await readUntil(res, (e) => e.event === 'message');
    const call = upstream.lastCall()!;

    // The app allows one generation at a time, across replicas.
    const busy = await request(b.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${slow.key}`)
      .send({ inputs: {}, query: 'x', user: 'kim' })
      .expect(429);
    expect(busy.body.code).toBe('rate_limit_error');

    await request(b.baseUrl)
      .post(`/v1/chat-messages/${events[0].task_id as string}/stop`)
      .set('Authorization', `Bearer ${slow.key}`)
      .send({ user: 'kim' })
      .expect(200, { result: 'success' });
    expect(parseSse(await readRest(reader)).events.at(-1)).toMatchObject({ event: 'message_end' });
    await eventually(() => call.aborted, 'upstream call aborted');

    // The slot is free again, on the other replica too.
    const next = await streamOn(b, 'kim');
    const again = await readUntil(next, (e) => e.event === 'message');
    await request(a.baseUrl)
      .post(`/v1/chat-messages/${again.events[0].task_id as string}/stop`)
      .set('Authorization', `Bearer ${slow.key}`)
      .send({ user: 'kim' })
      .expect(200);
    await readRest(again.reader);
  });

  it("shares a workspace API key's limits between replicas (OpenAI-compatible API)", async () => {
    const created = await request(a.baseUrl)
      .post('/console/api/workspaces/current/api-keys')
      .set(bearer(owner.access))
      .send({ name: 'shared', rpm: 3, max_concurrent_requests: 1 })
      .expect(201);
    const key = created.body.token as string;
    const models = (t: TestApp) => request(t.baseUrl).get('/v1/models').set('Authorization', `Bearer ${key}`);

    // One request in flight (a slow stream on replica a) takes the key's only slot on b too.
    const controller = new AbortController();
    const running = await fetch(`${a.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: slow.app.slug, stream: true, messages: [{ role: 'user', content: 'x y' }] }),
      signal: controller.signal,
    });
    expect(running.status).toBe(200);
    const busy = await request(b.baseUrl)
      .post('/v1/chat/completions')
      .set('Authorization', `Bearer ${key}`)
      .send({ model: slow.app.slug, messages: [{ role: 'user', content: 'x' }] })
      .expect(429);
    expect(busy.body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    controller.abort();

    // Three requests a minute over both replicas: the two above and one more; the next is refused.
    await models(a).expect(200);
    const refused = await models(b).expect(429);
    expect(refused.body.error.message).toContain('this API key allows 3 requests per minute');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
