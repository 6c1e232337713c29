import type { JobContext, JobCounts, JobSnapshot, ResolvedJobOptions } from '../queue.types';

export type ProcessFn = (job: JobContext) => Promise<unknown>;

/** The contract both backends honour; the shared behavioural suite holds them to it. */
export interface QueueDriver {
  readonly name: 'inline' | 'bull';
  add(queue: string, name: string, data: unknown, options: ResolvedJobOptions): Promise<string>;
  getJob(queue: string, id: string): Promise<JobSnapshot | undefined>;
  /** Resolves with the return value, rejects with the final failure reason, or times out. */
  waitUntilFinished(queue: string, id: string, timeoutMs: number): Promise<unknown>;
  process(queue: string, concurrency: number, fn: ProcessFn): void;
  counts(queue: string): Promise<JobCounts>;
  /** Every queue this process has touched (added to, processed or counted). */
  knownQueues(): string[];
  /** Whether the backend is reachable; throws with the reason when it is not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
