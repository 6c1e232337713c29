import { Redis } from 'ioredis';
import type { SingleRedisOptions } from '../redis.options';
import { baseConnectionOptions, type RedisClient, type RedisConnectionRole, type RedisDriver } from './redis-driver';

export class SingleRedisDriver implements RedisDriver {
  readonly mode = 'single' as const;

  constructor(private readonly options: SingleRedisOptions) {}

  createClient(role: RedisConnectionRole): RedisClient {
    return new Redis({
      ...baseConnectionOptions(role, this.options),
      host: this.options.host,
      port: this.options.port,
      db: this.options.db,
      connectionName: `keel-${role}`,
    });
  }

  describe(): string {
    return `redis ${this.options.host}:${this.options.port}/${this.options.db}`;
  }
}
