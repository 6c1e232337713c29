import type { RedisModuleOptions } from '../redis.options';
import type { RedisDriver } from './redis-driver';

/* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading, see below */

/** ioredis is loaded only when Redis is configured (this runs only then). */
export function createRedisDriver(options: RedisModuleOptions): RedisDriver {
  switch (options.driver) {
    case 'single': {
      const { SingleRedisDriver } = require('./single.driver') as typeof import('./single.driver');
      return new SingleRedisDriver(options);
    }
    case 'sentinel': {
      const { SentinelRedisDriver } = require('./sentinel.driver') as typeof import('./sentinel.driver');
      return new SentinelRedisDriver(options);
    }
    case 'cluster': {
      const { ClusterRedisDriver } = require('./cluster.driver') as typeof import('./cluster.driver');
      return new ClusterRedisDriver(options);
    }
    default: {
      const unknown: never = options;
      throw new Error(`Unknown Redis mode ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
