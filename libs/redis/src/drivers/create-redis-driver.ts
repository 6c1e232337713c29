import type { RedisModuleOptions } from '../redis.options';
import { ClusterRedisDriver } from './cluster.driver';
import type { RedisDriver } from './redis-driver';
import { SentinelRedisDriver } from './sentinel.driver';
import { SingleRedisDriver } from './single.driver';

export function createRedisDriver(options: RedisModuleOptions): RedisDriver {
  switch (options.driver) {
    case 'single':
      return new SingleRedisDriver(options);
    case 'sentinel':
      return new SentinelRedisDriver(options);
    case 'cluster':
      return new ClusterRedisDriver(options);
    default: {
      const unknown: never = options;
      throw new Error(`Unknown Redis mode ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
