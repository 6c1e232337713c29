import type Keyv from 'keyv';
import type { CacheModuleOptions } from '../cache.options';
import { createMemoryKeyv } from './memory.driver';
import { createRedisKeyv } from './redis.driver';

export function createCacheKeyv(options: CacheModuleOptions): Keyv {
  switch (options.driver) {
    case 'memory':
      return createMemoryKeyv(options);
    case 'redis':
      return createRedisKeyv(options);
    default: {
      const unknown: never = options;
      throw new Error(`Unknown cache driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
