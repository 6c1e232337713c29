import type { RedisClient } from '@keel/redis';

interface CommonCacheOptions {
  /** Lifetime of an entry when the caller gives none. */
  defaultTtlMs: number;
}

export interface MemoryCacheOptions extends CommonCacheOptions {
  driver: 'memory';
  /** Least-recently-used entries are evicted beyond this count. */
  maxItems: number;
}

export interface RedisCacheOptions extends CommonCacheOptions {
  driver: 'redis';
  /** The shared connection from the Redis extension (it already carries the deployment prefix). */
  client: RedisClient;
  /** Prefix of the whole deployment, needed to find this cache's keys when clearing. */
  deploymentPrefix: string;
}

export type CacheModuleOptions = MemoryCacheOptions | RedisCacheOptions;
