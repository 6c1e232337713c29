import { EventEmitter } from 'node:events';
import type { RedisClient } from '@keel/redis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/**
 * A Keyv store over the Redis extension's own ioredis connection. `@keyv/redis` would open a
 * second connection through another client library (node-redis) that knows nothing of the
 * configured Sentinel/Cluster/TLS settings; this reuses the one Keel already manages.
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = { dialect: 'redis' };
  namespace?: string;

  constructor(
    private readonly client: RedisClient,
    /** The client's own key prefix: SCAN patterns and its results are not prefixed by ioredis. */
    private readonly deploymentPrefix: string,
    private readonly segment = 'cache:',
  ) {
    super();
  }

  private key(key: string): string {
    return `${this.segment}${key}`;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.client.get(this.key(key));
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    const serialised = typeof value === 'string' ? value : JSON.stringify(value);
    if (ttl && ttl > 0) await this.client.set(this.key(key), serialised, 'PX', Math.ceil(ttl));
    else await this.client.set(this.key(key), serialised);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.unlink(this.key(key))) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.key(key))) > 0;
  }

  /** Removes this cache's keys only (never FLUSHDB: the database is shared). */
  async clear(): Promise<void> {
    const pattern = `${this.deploymentPrefix}${this.segment}*`;
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        // Keys come back with the prefix, which `unlink` would add a second time.
        const bare = keys.map((k) => k.slice(this.deploymentPrefix.length));
        for (const k of bare) await this.client.unlink(k);
      } while (cursor !== '0');
    }
  }

  async disconnect(): Promise<void> {
    // The connection belongs to the Redis extension, which closes it.
  }
}
