import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';

export const QUEUE_PROCESSOR = Symbol('QUEUE_PROCESSOR');

export interface QueueProcessorMetadata {
  queue: string;
  /** Jobs of this queue run at once in one process. */
  concurrency: number;
}

/**
 * Marks a provider (implementing `JobHandler`) as the processor of a queue. Both drivers run
 * it; only processes that run processors (the worker, and the API unless told not to) do.
 */
export function QueueProcessor(queue: string, options: { concurrency?: number } = {}): ClassDecorator {
  return applyDecorators(
    Injectable(),
    SetMetadata(QUEUE_PROCESSOR, { queue, concurrency: options.concurrency ?? 1 } satisfies QueueProcessorMetadata),
  );
}
