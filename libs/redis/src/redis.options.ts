export interface RedisNode {
  host: string;
  port: number;
}

interface CommonRedisOptions {
  /** Prepended to every key Keel writes, so deployments can share one Redis. */
  keyPrefix: string;
  username?: string;
  password?: string;
  tls: boolean;
  connectTimeoutMs: number;
}

export interface SingleRedisOptions extends CommonRedisOptions {
  driver: 'single';
  host: string;
  port: number;
  db: number;
}

export interface SentinelRedisOptions extends CommonRedisOptions {
  driver: 'sentinel';
  sentinels: RedisNode[];
  /** The master group name the sentinels monitor. */
  name: string;
  sentinelPassword?: string;
  db: number;
}

export interface ClusterRedisOptions extends CommonRedisOptions {
  driver: 'cluster';
  nodes: RedisNode[];
}

export type RedisModuleOptions = SingleRedisOptions | SentinelRedisOptions | ClusterRedisOptions;
