import type { RedisConnectionRole, RedisClient } from '@keel/redis';
import type { JobDefaults } from './queue.types';

interface CommonQueueOptions {
  defaults: JobDefaults;
  /** Whether this process runs processors (the API can leave them to `node dist/worker`). */
  runProcessors: boolean;
}

/** Jobs run in this process as soon as they are added (the embedded default; lost on restart). */
export interface InlineQueueOptions extends CommonQueueOptions {
  driver: 'inline';
}

/** Jobs live in Redis; any process of the deployment that runs processors may take them. */
export interface BullQueueOptions extends CommonQueueOptions {
  driver: 'bull';
  /** Opens dedicated connections (the Redis extension's `RedisService` fits). */
  connections: { createConnection(role: Exclude<RedisConnectionRole, 'main'>): RedisClient };
  /** Key prefix of Bull's keys, e.g. `keel:bull`. */
  prefix: string;
}

export type QueueModuleOptions = InlineQueueOptions | BullQueueOptions;
