import type { QueueModuleOptions } from '@keel/queue';
import type { RedisService } from '@keel/redis';
import type { AppConfig } from '../config/app-config';

/** Which entry point is asking: the worker always runs processors; the API only if configured. */
export type ProcessRole = 'api' | 'worker';

export function queueOptionsFrom(config: AppConfig, role: ProcessRole, redis?: RedisService): QueueModuleOptions {
  const { driver, defaults, workerInApi } = config.queue;
  const runProcessors = role === 'worker' || workerInApi;
  if (driver === 'inline') return { driver, defaults, runProcessors };
  if (!redis) throw new Error('QUEUE_DRIVER=bull but the Redis extension is not loaded');
  // Bull's scripts touch several keys at once; on a cluster they must hash to one slot.
  const prefix = redis.mode === 'cluster' ? `{${redis.keyPrefix}bull}` : `${redis.keyPrefix}bull`;
  return { driver, defaults, runProcessors, connections: redis, prefix };
}
