import type { Cluster, Redis, RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * What a connection is for. `main` is the shared command client (with the key prefix); the
 * others are dedicated connections for libraries that manage their own keys and blocking reads
 * (Bull's `client`, `subscriber` and `bclient`).
 */
export type RedisConnectionRole = 'main' | 'client' | 'subscriber' | 'bclient';

export interface RedisDriver {
  readonly mode: 'single' | 'sentinel' | 'cluster';
  createClient(role: RedisConnectionRole): RedisClient;
  /** Where it connects, for logs and health; never includes a password. */
  describe(): string;
}

/**
 * Settings every connection shares: reconnect forever with a capped delay (a Redis outage must
 * never crash-loop Keel), and the options Bull requires
 * on its subscriber and blocking connections (they reject request retries and ready checks).
 */
export function baseConnectionOptions(
  role: RedisConnectionRole,
  options: { username?: string; password?: string; tls: boolean; connectTimeoutMs: number; keyPrefix: string },
): RedisOptions {
  const dedicated = role === 'subscriber' || role === 'bclient';
  return {
    username: options.username,
    password: options.password,
    tls: options.tls ? {} : undefined,
    connectTimeout: options.connectTimeoutMs,
    keyPrefix: role === 'main' ? options.keyPrefix : undefined,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // A command issued while disconnected fails after one reconnect attempt instead of 20.
    maxRetriesPerRequest: dedicated ? null : 1,
    enableReadyCheck: !dedicated,
    lazyConnect: false,
  };
}
