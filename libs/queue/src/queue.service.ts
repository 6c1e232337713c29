import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { QUEUE_DRIVER, QUEUE_MODULE_OPTIONS } from './queue.module-definition';
import type { QueueModuleOptions } from './queue.options';
import type { JobCounts, JobOptions, JobSnapshot, ResolvedJobOptions } from './queue.types';
import type { QueueDriver } from './drivers/queue-driver';
import { tracePublish } from './queue-tracing';
import { type PingResult, SYSTEM_QUEUE } from './system-ping.processor';

/** The façade features inject to enqueue and inspect jobs, whatever the driver. */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  get driverName(): QueueDriver['name'] {
    return this.driver.name;
  }

  /** Adds a job and returns its id. */
  async add<TData>(queue: string, name: string, data: TData, options: JobOptions = {}): Promise<string> {
    const defaults = this.options.defaults;
    const resolved: ResolvedJobOptions = {
      attempts: options.attempts ?? defaults.attempts,
      backoffMs: options.backoffMs ?? defaults.backoffMs,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      delayMs: options.delayMs ?? 0,
      jobId: options.jobId,
    };
    if (resolved.attempts < 1) throw new RangeError('attempts must be at least 1');
    // Health pings run every few seconds; tracing them would bury real jobs.
    if (queue === SYSTEM_QUEUE) return this.driver.add(queue, name, data, resolved);
    return tracePublish(queue, this.driver.name, (traceContext) =>
      this.driver.add(queue, name, data, { ...resolved, traceContext }),
    );
  }

  getJob(queue: string, id: string): Promise<JobSnapshot | undefined> {
    return this.driver.getJob(queue, id);
  }

  /** Resolves with the job's return value; rejects with its final failure reason or on timeout. */
  waitUntilFinished(queue: string, id: string, timeoutMs = 30_000): Promise<unknown> {
    return this.driver.waitUntilFinished(queue, id, timeoutMs);
  }

  counts(queue: string): Promise<JobCounts> {
    return this.driver.counts(queue);
  }

  knownQueues(): string[] {
    return this.driver.knownQueues();
  }

  /**
   * A round trip through the lib's system queue: answers which process ran it. Fails when no
   * process runs processors (e.g. the API with QUEUE_WORKER_IN_API=false and no worker up).
   */
  async ping(timeoutMs = 10_000): Promise<PingResult & { roundTripMs: number }> {
    const started = performance.now();
    const id = await this.add(SYSTEM_QUEUE, 'ping', {}, { attempts: 1, timeoutMs });
    const result = (await this.waitUntilFinished(SYSTEM_QUEUE, id, timeoutMs)) as PingResult;
    return { ...result, roundTripMs: Math.round(performance.now() - started) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver.close();
  }
}
