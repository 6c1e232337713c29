import { CacheService } from '@keel/cache';
import request from 'supertest';
import { describeWith } from '../support/services';
import { TestRedisServer } from '../support/redis-server';
import { bootTestApp, type TestApp } from '../support/test-app';

async function readiness(baseUrl: string) {
  const res = await request(baseUrl).get('/health/ready');
  return { status: res.status, body: res.body as Record<'info' | 'error', Record<string, Record<string, unknown>>> };
}

async function waitForReadiness(baseUrl: string, status: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await readiness(baseUrl);
    if (result.status === status) return result;
    if (Date.now() > deadline) throw new Error(`readiness stayed ${result.status}: ${JSON.stringify(result.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWith('redis', 'Redis outage: Keel keeps running, readiness follows Redis', () => {
  let redis: TestRedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    t = await bootTestApp({ REDIS_URL: redis.url, HEALTH_CHECK_TIMEOUT_MS: '1000' });
  });

  afterAll(async () => {
    await t?.close();
    await redis?.dispose();
  });

  it('is ready with Redis, cache on redis and queue on bull', async () => {
    const { body } = await waitForReadiness(t.baseUrl, 200);
    expect(body).toMatchObject({
      info: { redis: { status: 'up', mode: 'single' }, cache: { driver: 'redis' }, queue: { driver: 'bull' } },
    });
  });

  it('turns readiness to 503 naming redis when Redis stops, without crashing', async () => {
    await redis.stop();
    const { body } = await waitForReadiness(t.baseUrl, 503);
    expect(body.error.redis.message).toMatch(/^not connected/);
    await request(t.baseUrl).get('/health/live').expect(200);
    const one = await request(t.baseUrl).get('/health/redis').expect(503);
    expect(one.body.error.redis.target).toBe(`redis 127.0.0.1:${redis.port}/0`);
  });

  it('recovers by itself when Redis is back, without a restart', async () => {
    await redis.startAgain();
    const { body } = await waitForReadiness(t.baseUrl, 200);
    expect(body.info.redis).toMatchObject({ status: 'up' });
  });
});

describeWith('redis', 'Redis unreachable at boot', () => {
  it('boots anyway and reports redis down instead of crash-looping', async () => {
    const redis = await TestRedisServer.start();
    await redis.stop();
    const t = await bootTestApp({ REDIS_URL: redis.url, HEALTH_CHECK_TIMEOUT_MS: '1000' });
    try {
      const { body } = await waitForReadiness(t.baseUrl, 503);
      expect(Object.keys(body.error)).toContain('redis');
      await request(t.baseUrl).get('/health/live').expect(200);
    } finally {
      await t.close();
      await redis.dispose();
    }
  });
});

describeWith('redis', 'cache during a Redis outage', () => {
  it('misses, skips writes and computes directly instead of stalling', async () => {
    const redis = await TestRedisServer.start();
    const t = await bootTestApp({ REDIS_URL: redis.url });
    try {
      const cache = t.app.get(CacheService);
      await waitForReadiness(t.baseUrl, 200);
      await cache.set('k', 'v');
      expect(await cache.get('k')).toBe('v');
      await redis.stop();
      await waitForReadiness(t.baseUrl, 503);
      expect(await cache.get('k')).toBeUndefined();
      await cache.set('k2', 'v2');
      expect(await cache.wrap('k3', async () => 'computed')).toBe('computed');
      await expect(cache.delete('k')).rejects.toThrow(/cache backend unavailable/);
    } finally {
      await t.close();
      await redis.dispose();
    }
  });
});

// ioredis arms a 2 s "destroy the stream" timer when a client whose socket already failed is
// disconnected (the Redis-down cases above); let it run out so the test process can exit cleanly.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 2_100)));
