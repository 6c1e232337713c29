import type { CacheModuleOptions } from '@keel/cache';
import type { RedisService } from '@keel/redis';
import type { AppConfig } from '../config/app-config';

export function cacheOptionsFrom(config: AppConfig, redis?: RedisService): CacheModuleOptions {
  const { driver, defaultTtlMs, maxItems } = config.cache;
  if (driver === 'memory') return { driver, defaultTtlMs, maxItems };
  // Config validation guarantees Redis is configured when the cache driver is redis.
  if (!redis) throw new Error('CACHE_DRIVER=redis but the Redis extension is not loaded');
  return { driver, defaultTtlMs, client: redis.client, deploymentPrefix: redis.keyPrefix };
}
