import { Cluster } from 'ioredis';
import type { ClusterRedisOptions } from '../redis.options';
import { baseConnectionOptions, type RedisClient, type RedisConnectionRole, type RedisDriver } from './redis-driver';

export class ClusterRedisDriver implements RedisDriver {
  readonly mode = 'cluster' as const;

  constructor(private readonly options: ClusterRedisOptions) {}

  createClient(role: RedisConnectionRole): RedisClient {
    const { keyPrefix, ...redisOptions } = baseConnectionOptions(role, this.options);
    return new Cluster(this.options.nodes, {
      keyPrefix,
      redisOptions,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      enableReadyCheck: redisOptions.enableReadyCheck,
      maxRedirections: 16,
    });
  }

  describe(): string {
    return `redis cluster ${this.options.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  }
}
