import { randomBytes } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import { RedisModule } from '@keel/redis';
import { Redis } from 'ioredis';

/** The Redis extension on the machine's shared Redis, with a prefix of the suite's own. */
export function localRedisModule(keyPrefix: string): DynamicModule {
  return RedisModule.forRoot({
    driver: 'single',
    host: '127.0.0.1',
    port: 6379,
    db: 0,
    keyPrefix,
    tls: false,
    connectTimeoutMs: 2_000,
  });
}

/** A prefix no other run uses, so suites can share the machine's Redis. */
export function uniqueRedisPrefix(label: string): string {
  return `keel-test:${label}:${process.pid}:${randomBytes(3).toString('hex')}:`;
}

/** Removes every key under `prefix` (test clean-up). */
export async function deleteRedisKeys(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
