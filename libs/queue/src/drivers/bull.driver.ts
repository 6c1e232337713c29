import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import Bull from 'bull';
import type { BullQueueOptions } from '../queue.options';
import type { JobCounts, JobSnapshot, JobState, ResolvedJobOptions } from '../queue.types';
import type { ProcessFn, QueueDriver } from './queue-driver';
import { reasonOf, runAttempt, withDeadline } from './run-attempt';
import { SYSTEM_QUEUE } from '../system-ping.processor';

const TIMEOUT_OPTION = 'keelTimeoutMs';
const TRACE_OPTION = 'keelTraceContext';

const STATES: Record<string, JobState> = {
  waiting: 'waiting',
  paused: 'waiting',
  stuck: 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * Jobs in Redis through Bull. Bull is used directly rather than through `@nestjs/bull`: queues
 * here are opened on demand by name and processors are registered by this lib's own discovery,
 * which `@nestjs/bull`'s static `registerQueue`/`@Processor` model would only duplicate (and it
 * has no inline counterpart). Connections come from the Redis extension, so Sentinel, Cluster
 * and TLS settings apply here too.
 */
export class BullQueueDriver implements QueueDriver {
  readonly name = 'bull' as const;
  private readonly queues = new Map<string, Bull.Queue>();
  private readonly shutdown = new AbortController();
  private readonly logger = new Logger('Queue');

  constructor(private readonly options: BullQueueOptions) {
    // Opened at once so the connection is up by the first health check and the first job.
    this.queue(SYSTEM_QUEUE);
  }

  async add(queue: string, name: string, data: unknown, options: ResolvedJobOptions): Promise<string> {
    const job = await this.queue(queue).add(name, data, {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      delay: options.delayMs > 0 ? options.delayMs : undefined,
      jobId: options.jobId,
      removeOnComplete: retention(this.options.defaults.keepCompleted),
      removeOnFail: retention(this.options.defaults.keepFailed),
      // Not Bull's `timeout`: runAttempt enforces it (same error text as the inline driver, and
      // the processor's signal is aborted). Bull stores unknown options with the job.
      [TIMEOUT_OPTION]: options.timeoutMs,
      [TRACE_OPTION]: options.traceContext,
    } as Bull.JobOptions);
    return String(job.id);
  }

  async getJob(queue: string, id: string): Promise<JobSnapshot | undefined> {
    const job = await this.queue(queue).getJob(id);
    if (!job) return undefined;
    const state = await job.getState();
    return {
      id: String(job.id),
      queue,
      name: job.name,
      data: job.data as unknown,
      state: STATES[state] ?? 'waiting',
      attemptsMade: job.attemptsMade,
      progress: Number(job.progress()) || 0,
      failedReason: job.failedReason || undefined,
      returnValue: job.returnvalue ?? undefined,
      createdAt: job.timestamp,
      finishedAt: job.finishedOn ?? undefined,
    };
  }

  /**
   * Polls the job's state. Bull's `job.finished()` checks the state and then subscribes to the
   * completion events, and a job that finishes between the two is never reported (seen here
   * under load); a poll cannot miss it, and works from any process.
   */
  async waitUntilFinished(queue: string, id: string, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const job = await this.queue(queue).getJob(id);
      if (!job) throw new Error(`Job ${id} not found in queue ${queue}`);
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        // The snapshot above may predate the move; read the finished job again.
        const finished = (await this.queue(queue).getJob(id)) ?? job;
        if (state === 'completed') return finished.returnvalue as unknown;
        throw new Error(finished.failedReason ?? 'failed');
      }
      if (Date.now() + delay > deadline) throw new Error(`Job ${id} did not finish within ${timeoutMs} ms`);
      await sleep(delay);
    }
  }

  process(queue: string, concurrency: number, fn: ProcessFn): void {
    const q = this.queue(queue);
    void q.process('*', concurrency, async (job: Bull.Job) => {
      const timeoutMs =
        Number((job.opts as Record<string, unknown>)[TIMEOUT_OPTION]) || this.options.defaults.timeoutMs;
      try {
        return await runAttempt(
          fn,
          {
            id: String(job.id),
            queue,
            name: job.name,
            data: job.data as unknown,
            attempt: job.attemptsMade + 1,
            updateProgress: async (percent: number) => {
              await job.progress(percent);
            },
          },
          timeoutMs,
          this.shutdown.signal,
          { system: 'bull', carrier: (job.opts as Record<string, unknown>)[TRACE_OPTION] as Record<string, string> },
        );
      } catch (error) {
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          this.logger.warn({ queue, job: String(job.id), name: job.name, reason: reasonOf(error) }, 'job failed');
        }
        throw error;
      }
    });
  }

  async counts(queue: string): Promise<JobCounts> {
    const c = await this.queue(queue).getJobCounts();
    return { waiting: c.waiting, active: c.active, delayed: c.delayed, completed: c.completed, failed: c.failed };
  }

  knownQueues(): string[] {
    return [...this.queues.keys()];
  }

  async ping(): Promise<void> {
    const client = this.queue(SYSTEM_QUEUE).client;
    if (client.status !== 'ready') throw new Error(`Redis not connected (${client.status})`);
    await client.ping();
  }

  async close(): Promise<void> {
    this.shutdown.abort(new Error('shutting down'));
    await Promise.all(
      [...this.queues.values()].map(async (q) => {
        const queue = q as Bull.Queue & BullConnections;
        // Bull's close() first waits for Redis to be ready: during an outage it would never
        // return and shutdown would hang (nothing can be drained then anyway), so it gets no
        // time at all; its timers (stalled-job guardian, delay timer) are then cleared directly.
        const ready = queue.clientInitialized && q.client.status === 'ready';
        await withDeadline(q.close(), ready ? CLOSE_TIMEOUT_MS : 0).catch(() => undefined);
        await queue._clearTimers?.();
        // Bull closes only connections it created itself; these came from createClient, and
        // its close() even reconnects the blocking one (to break a pending BRPOPLPUSH).
        if (queue.bclientInitialized) queue.bclient.disconnect();
        if (queue.subscriberInitialized) queue.eclient.disconnect();
        if (queue.clientInitialized) queue.client.disconnect();
      }),
    );
    this.queues.clear();
  }

  private queue(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, {
        prefix: this.options.prefix,
        createClient: (type) => this.options.connections.createConnection(type) as never,
      });
      // Reconnect attempts repeat the same error every few seconds: log changes only.
      let lastError: string | undefined;
      queue.on('error', (error: Error) => {
        if (error.message === lastError) return;
        lastError = error.message;
        this.logger.warn({ queue: name, err: error.message }, 'queue error');
      });
      queue.client.on('ready', () => (lastError = undefined));
      this.queues.set(name, queue);
    }
    return queue;
  }
}

const CLOSE_TIMEOUT_MS = 10_000;

/** Bull's connection getters, flags and timer clean-up, which its type definitions leave out. */
interface BullConnections {
  _clearTimers?: () => Promise<unknown>;
  bclient: { disconnect(): void };
  eclient: { disconnect(): void };
  bclientInitialized?: boolean;
  subscriberInitialized?: boolean;
  clientInitialized?: boolean;
}

/** Bull reads `0` as "keep everything"; Keel's 0 means keep none. */
function retention(keep: number): number | boolean {
  return keep === 0 ? true : keep;
}
