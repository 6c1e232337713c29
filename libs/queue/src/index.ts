export { QueueModule } from './queue.module';
export { QUEUE_MODULE_OPTIONS } from './queue.module-definition';
export type { BullQueueOptions, InlineQueueOptions, QueueModuleOptions } from './queue.options';
export type { JobContext, JobCounts, JobDefaults, JobHandler, JobOptions, JobSnapshot, JobState } from './queue.types';
export { QueueProcessor } from './queue-processor.decorator';
export { QueueService } from './queue.service';
export { QueueHealthIndicator } from './queue.health';
export { JobTimeoutError } from './drivers/run-attempt';
export { SYSTEM_QUEUE, type PingResult } from './system-ping.processor';
