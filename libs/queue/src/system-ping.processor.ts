import { hostname } from 'node:os';
import { QueueProcessor } from './queue-processor.decorator';
import type { JobHandler } from './queue.types';

/** The lib's own queue: a round trip through it proves that some process runs processors. */
export const SYSTEM_QUEUE = 'keel-system';

export interface PingResult {
  pid: number;
  hostname: string;
  processedAt: number;
}

@QueueProcessor(SYSTEM_QUEUE, { concurrency: 4 })
export class SystemPingProcessor implements JobHandler<unknown, PingResult> {
  async handle(): Promise<PingResult> {
    return { pid: process.pid, hostname: hostname(), processedAt: Date.now() };
  }
}
