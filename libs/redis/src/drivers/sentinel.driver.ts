import { Redis } from 'ioredis';
import type { SentinelRedisOptions } from '../redis.options';
import { baseConnectionOptions, type RedisClient, type RedisConnectionRole, type RedisDriver } from './redis-driver';

/** Asks the sentinels for the current master and follows failovers. */
export class SentinelRedisDriver implements RedisDriver {
  readonly mode = 'sentinel' as const;

  constructor(private readonly options: SentinelRedisOptions) {}

  createClient(role: RedisConnectionRole): RedisClient {
    return new Redis({
      ...baseConnectionOptions(role, this.options),
      sentinels: this.options.sentinels,
      name: this.options.name,
      sentinelPassword: this.options.sentinelPassword,
      sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      db: this.options.db,
      connectionName: `keel-${role}`,
    });
  }

  describe(): string {
    return `redis sentinel ${this.options.name} via ${this.options.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
}
