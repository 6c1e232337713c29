import { Logger } from '@nestjs/common';
import type { InlineQueueOptions } from '../queue.options';
import type { JobCounts, JobSnapshot, ResolvedJobOptions } from '../queue.types';
import type { ProcessFn, QueueDriver } from './queue-driver';
import { reasonOf, retryDelay, runAttempt } from './run-attempt';

interface InlineJob extends JobSnapshot {
  options: ResolvedJobOptions;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One named queue held in memory: the same lifecycle as Bull's, without Redis. */
class InlineQueue {
  private readonly jobs = new Map<string, InlineJob>();
  private readonly ready: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Map<string, Waiter[]>();
  private fn?: ProcessFn;
  private concurrency = 1;
  private active = 0;
  private sequence = 0;

  constructor(
    readonly name: string,
    private readonly options: InlineQueueOptions,
    private readonly shutdown: AbortSignal,
    private readonly logger: Logger,
  ) {}

  add(jobName: string, data: unknown, options: ResolvedJobOptions): string {
    if (options.jobId && this.jobs.has(options.jobId)) return options.jobId;
    const id = options.jobId ?? String(++this.sequence);
    const job: InlineJob = {
      id,
      queue: this.name,
      name: jobName,
      data,
      state: options.delayMs > 0 ? 'delayed' : 'waiting',
      attemptsMade: 0,
      progress: 0,
      createdAt: Date.now(),
      options,
    };
    this.jobs.set(id, job);
    if (job.state === 'delayed') this.later(options.delayMs, () => this.enqueue(job));
    else this.enqueue(job);
    return id;
  }

  setProcessor(concurrency: number, fn: ProcessFn): void {
    this.fn = fn;
    this.concurrency = concurrency;
    this.drain();
  }

  get(id: string): JobSnapshot | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const { options: _options, ...snapshot } = job;
    return { ...snapshot };
  }

  wait(id: string, timeoutMs: number): Promise<unknown> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new Error(`Job ${id} not found in queue ${this.name}`));
    if (job.state === 'completed') return Promise.resolve(job.returnValue);
    if (job.state === 'failed') return Promise.reject(new Error(job.failedReason));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Job ${id} did not finish within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(id) ?? [];
      list.push({
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.waiters.set(id, list);
    });
  }

  counts(): JobCounts {
    const counts: JobCounts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const job of this.jobs.values()) counts[job.state]++;
    return counts;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const [id, list] of this.waiters)
      for (const w of list) w.reject(new Error(`Queue closed before job ${id} finished`));
    this.waiters.clear();
  }

  private enqueue(job: InlineJob): void {
    job.state = 'waiting';
    this.ready.push(job.id);
    // The caller of add() gets its id before the job starts, as with Bull.
    setImmediate(() => this.drain());
  }

  private drain(): void {
    while (this.fn && !this.shutdown.aborted && this.active < this.concurrency && this.ready.length > 0) {
      const job = this.jobs.get(this.ready.shift()!);
      if (job) void this.run(job, this.fn);
    }
  }

  private async run(job: InlineJob, fn: ProcessFn): Promise<void> {
    this.active++;
    job.state = 'active';
    const context = {
      id: job.id,
      queue: this.name,
      name: job.name,
      data: job.data,
      attempt: job.attemptsMade + 1,
      updateProgress: async (percent: number) => {
        job.progress = percent;
      },
    };
    try {
      job.returnValue = await runAttempt(fn, context, job.options.timeoutMs, this.shutdown, {
        system: 'inline',
        carrier: job.options.traceContext,
      });
      this.finish(job, 'completed');
    } catch (error) {
      job.attemptsMade++;
      job.failedReason = reasonOf(error);
      if (job.attemptsMade < job.options.attempts && !this.shutdown.aborted) {
        job.state = 'delayed';
        this.later(retryDelay(job.options.backoffMs, job.attemptsMade), () => this.enqueue(job));
      } else {
        this.logger.warn({ queue: this.name, job: job.id, name: job.name, reason: job.failedReason }, 'job failed');
        this.finish(job, 'failed');
      }
    } finally {
      this.active--;
      this.drain();
    }
  }

  private finish(job: InlineJob, state: 'completed' | 'failed'): void {
    job.state = state;
    job.finishedAt = Date.now();
    for (const w of this.waiters.get(job.id) ?? []) {
      if (state === 'completed') w.resolve(job.returnValue);
      else w.reject(new Error(job.failedReason));
    }
    this.waiters.delete(job.id);
    this.prune(state, state === 'completed' ? this.options.defaults.keepCompleted : this.options.defaults.keepFailed);
  }

  /** Keeps the newest `keep` finished jobs of a state (Map order is insertion order). */
  private prune(state: 'completed' | 'failed', keep: number): void {
    const finished = [...this.jobs.values()].filter((j) => j.state === state);
    for (const job of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(job.id);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

/**
 * Jobs run in this process right after they are added — the embedded default, like Laravel's
 * sync driver but asynchronous, with the same retries, backoff, timeout and retention as Bull.
 * Jobs live in memory: a restart loses what had not run yet.
 */
export class InlineQueueDriver implements QueueDriver {
  readonly name = 'inline' as const;
  private readonly queues = new Map<string, InlineQueue>();
  private readonly shutdown = new AbortController();
  private readonly logger = new Logger('Queue');

  constructor(private readonly options: InlineQueueOptions) {}

  async add(queue: string, name: string, data: unknown, options: ResolvedJobOptions): Promise<string> {
    return this.queue(queue).add(name, data, options);
  }

  async getJob(queue: string, id: string): Promise<JobSnapshot | undefined> {
    return this.queue(queue).get(id);
  }

  waitUntilFinished(queue: string, id: string, timeoutMs: number): Promise<unknown> {
    return this.queue(queue).wait(id, timeoutMs);
  }

  process(queue: string, concurrency: number, fn: ProcessFn): void {
    this.queue(queue).setProcessor(concurrency, fn);
  }

  async counts(queue: string): Promise<JobCounts> {
    return this.queue(queue).counts();
  }

  knownQueues(): string[] {
    return [...this.queues.keys()];
  }

  async ping(): Promise<void> {
    if (this.shutdown.signal.aborted) throw new Error('queue is shutting down');
  }

  async close(): Promise<void> {
    this.shutdown.abort(new Error('shutting down'));
    for (const queue of this.queues.values()) queue.close();
  }

  private queue(name: string): InlineQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new InlineQueue(name, this.options, this.shutdown.signal, this.logger);
      this.queues.set(name, queue);
    }
    return queue;
  }
}
