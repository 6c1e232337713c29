import request from 'supertest';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import { TestRedisServer } from '../support/redis-server';
import { describeWith } from '../support/services';
import { OWNER, setupOwner } from '../support/console';
import { bootTestApp, type TestApp } from '../support/test-app';

/** The same checks whatever holds the counters; clients get distinct IPs through X-Forwarded-For. */
function limitSuite(env: () => Record<string, string>) {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ TRUST_PROXY: 'true', ...env() });
    await setupOwner(t);
  });

  afterAll(() => t.close());

  const attempt = (email: string, password: string, ip: string) =>
    request(t.baseUrl).post('/console/api/login').set('X-Forwarded-For', ip).send({ email, password });

  it('answers 429 with Retry-After after 5 failures for an email, even with the right password from elsewhere', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await attempt(OWNER.email, `wrong-pass-${i}`, `10.0.1.${i}`);
      expect(res.status).toBe(401);
    }
    const blocked = await attempt(OWNER.email, OWNER.password, '10.0.1.99');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('login_rate_limited');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('answers 429 for any email after 5 failures from one IP; other IPs are unaffected', async () => {
    for (let i = 1; i <= 5; i++) {
      expect((await attempt(`guess${i}@example.com`, 'whatever-1', '10.0.2.1')).status).toBe(401);
    }
    expect((await attempt('fresh@example.com', 'whatever-1', '10.0.2.1')).status).toBe(429);
    expect((await attempt('fresh@example.com', 'whatever-1', '10.0.2.2')).status).toBe(401);
  });

  return () => t;
}

describe('login rate limit in memory (no Redis)', () => {
  const app = limitSuite(() => ({}));

  it('keeps the counters in this process', () => {
    expect(app().config.redis).toBeUndefined();
  });
});

describeWith('redis', 'login rate limit in Redis', () => {
  const prefix = uniqueRedisPrefix('login-limit');
  const env = () => ({ REDIS_URL: 'redis://127.0.0.1:6379/0', REDIS_KEY_PREFIX: prefix });
  const app = limitSuite(env);

  afterAll(() => deleteRedisKeys(prefix));

  it('shares the counters with another replica on the same Redis', async () => {
    const replica = await bootTestApp({ TRUST_PROXY: 'true', ...env() });
    try {
      // Nothing is set up on the replica's own database; the email's counter alone refuses it.
      const res = await request(replica.baseUrl)
        .post('/console/api/login')
        .set('X-Forwarded-For', '10.0.3.1')
        .send({ email: OWNER.email, password: OWNER.password });
      expect(res.status).toBe(429);
    } finally {
      await replica.close();
    }
    expect(app().config.redis).toBeDefined();
  });
});

describeWith('redis', 'login while Redis is down', () => {
  let redis: TestRedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    t = await bootTestApp({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await t?.close();
    await redis?.dispose();
  });

  it('fails closed with 503 (never unthrottled), keeps refresh working, and recovers with Redis', async () => {
    const owner = await setupOwner(t);
    await redis.stop();
    const down = await request(t.baseUrl).post('/console/api/login').send(OWNER);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('service_unavailable');
    expect(down.headers['retry-after']).toBe('5');
    // Sessions live in the database: they go on.
    await request(t.baseUrl).post('/console/api/refresh-token').send({ refresh_token: owner.refresh }).expect(200);
    await redis.startAgain();
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await request(t.baseUrl).post('/console/api/login').send(OWNER)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
