import { Test, type TestingModule } from '@nestjs/testing';
import { CacheHealthIndicator, CacheModule, type CacheModuleOptions, CacheService } from '@keel/cache';
import { RedisService } from '@keel/redis';
import { Redis } from 'ioredis';
import { isAvailable } from '../support/services';
import { deleteRedisKeys, localRedisModule, uniqueRedisPrefix } from '../support/redis-keys';

const drivers: Array<'memory' | 'redis'> = isAvailable('redis') ? ['memory', 'redis'] : ['memory'];

describe.each(drivers)('cache driver %s', (driver) => {
  let moduleRef: TestingModule;
  let cache: CacheService;
  const prefix = uniqueRedisPrefix('cache');

  beforeAll(async () => {
    const imports =
      driver === 'redis'
        ? [
            localRedisModule(prefix),
            CacheModule.forRootAsync({
              useFactory: (redis: RedisService): CacheModuleOptions => ({
                driver: 'redis',
                defaultTtlMs: 60_000,
                client: redis.client,
                deploymentPrefix: redis.keyPrefix,
              }),
              inject: [RedisService],
            }),
          ]
        : [CacheModule.forRoot({ driver: 'memory', defaultTtlMs: 60_000, maxItems: 3 })];
    moduleRef = await Test.createTestingModule({ imports }).compile();
    await moduleRef.init();
    cache = moduleRef.get(CacheService);
    if (driver === 'redis') await moduleRef.get(RedisService).client.ping();
  });

  afterAll(async () => {
    await moduleRef?.close();
    if (driver === 'redis') await deleteRedisKeys(prefix);
  });

  it('stores and reads structured values, and misses unknown keys', async () => {
    await cache.set('app:1', { name: 'Support bot', tags: ['a', 'b'] });
    expect(await cache.get('app:1')).toEqual({ name: 'Support bot', tags: ['a', 'b'] });
    expect(await cache.get('app:missing')).toBeUndefined();
  });

  it('expires an entry after its TTL', async () => {
    // Long enough that a loaded machine still reads it back before it expires.
    await cache.set('short', 'lived', 1_000);
    expect(await cache.get('short')).toBe('lived');
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await cache.get('short')).toBeUndefined();
  });

  it('deletes an entry', async () => {
    await cache.set('gone', 1);
    await cache.delete('gone');
    expect(await cache.get('gone')).toBeUndefined();
  });

  it('computes a wrapped value once and serves it from the cache after', async () => {
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.wrap('computed', compute)).toBe(1);
    expect(await cache.wrap('computed', compute)).toBe(1);
    expect(calls).toBe(1);
  });

  it('reports healthy', async () => {
    const result = await moduleRef.get(CacheHealthIndicator).isHealthy('cache');
    expect(result.cache).toMatchObject({ status: 'up', driver });
  });

  if (driver === 'memory') {
    it('evicts the least recently used entry beyond CACHE_MAX_ITEMS', async () => {
      await cache.clear();
      for (const key of ['a', 'b', 'c']) await cache.set(key, key);
      await cache.get('a');
      await cache.set('d', 'd');
      expect(await cache.get('b')).toBeUndefined();
      expect(await cache.get('a')).toBe('a');
    });
  }

  if (driver === 'redis') {
    it('keeps its keys under the deployment prefix and clears only them', async () => {
      const raw = new Redis({ host: '127.0.0.1', port: 6379 });
      try {
        await cache.set('prefixed', 'yes');
        const keys = await raw.keys(`${prefix}*prefixed*`);
        expect(keys).toHaveLength(1);
        await raw.set(`${prefix}not-cache`, 'keep');
        await raw.set('other-deployment:cache:x', 'keep');
        await cache.clear();
        expect(await cache.get('prefixed')).toBeUndefined();
        expect(await raw.get(`${prefix}not-cache`)).toBe('keep');
        expect(await raw.get('other-deployment:cache:x')).toBe('keep');
        await raw.del('other-deployment:cache:x');
      } finally {
        raw.disconnect();
      }
    });
  }
});
