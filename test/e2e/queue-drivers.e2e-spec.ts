import { Test, type TestingModule } from '@nestjs/testing';
import {
  type JobContext,
  type JobHandler,
  QueueModule,
  type QueueModuleOptions,
  QueueProcessor,
  QueueService,
} from '@keel/queue';
import { RedisService } from '@keel/redis';
import { isAvailable } from '../support/services';
import { deleteRedisKeys, localRedisModule, uniqueRedisPrefix } from '../support/redis-keys';

const QUEUE = 'behaviour';

/** Test-only processor: each job name is one behaviour the drivers must agree on. */
@QueueProcessor(QUEUE, { concurrency: 4 })
class BehaviourProcessor implements JobHandler {
  readonly attemptsAt = new Map<string, number[]>();
  readonly releases = new Map<string, () => void>();
  readonly aborted = new Set<string>();

  async handle(job: JobContext<{ value?: string }>): Promise<unknown> {
    const times = this.attemptsAt.get(job.id) ?? [];
    times.push(Date.now());
    this.attemptsAt.set(job.id, times);
    switch (job.name) {
      case 'echo':
        return { echoed: job.data.value, attempt: job.attempt };
      case 'always-fails':
        throw new Error(`boom on attempt ${job.attempt}`);
      case 'flaky':
        if (job.attempt < 3) throw new Error(`flaky attempt ${job.attempt}`);
        return 'recovered';
      case 'progress':
        await job.updateProgress(40);
        await new Promise<void>((resolve) => this.releases.set(job.id, resolve));
        await job.updateProgress(100);
        return 'done';
      case 'hangs':
        await new Promise<void>((resolve) =>
          job.signal.addEventListener('abort', () => {
            this.aborted.add(job.id);
            resolve();
          }),
        );
        return 'should not be the result';
      default:
        throw new Error(`unknown job ${job.name}`);
    }
  }
}

const DEFAULTS = { attempts: 1, backoffMs: 100, timeoutMs: 10_000, keepCompleted: 100, keepFailed: 100 };

type DriverCase = 'inline' | 'bull';
const drivers: DriverCase[] = isAvailable('redis') ? ['inline', 'bull'] : ['inline'];

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(drivers)('queue driver %s (shared behaviour)', (driver) => {
  let moduleRef: TestingModule;
  let queues: QueueService;
  let processor: BehaviourProcessor;
  const prefix = uniqueRedisPrefix('queue');

  beforeAll(async () => {
    const imports =
      driver === 'bull'
        ? [
            localRedisModule(prefix),
            QueueModule.forRootAsync({
              useFactory: (redis: RedisService): QueueModuleOptions => ({
                driver: 'bull',
                defaults: DEFAULTS,
                runProcessors: true,
                connections: redis,
                prefix: `${prefix}bull`,
              }),
              inject: [RedisService],
            }),
          ]
        : [QueueModule.forRoot({ driver: 'inline', defaults: DEFAULTS, runProcessors: true })];
    moduleRef = await Test.createTestingModule({ imports, providers: [BehaviourProcessor] }).compile();
    moduleRef.enableShutdownHooks();
    await moduleRef.init();
    queues = moduleRef.get(QueueService);
    processor = moduleRef.get(BehaviourProcessor);
  });

  afterAll(async () => {
    await moduleRef?.close();
    if (driver === 'bull') await deleteRedisKeys(prefix);
  });

  it('runs a job and keeps its return value', async () => {
    const id = await queues.add(QUEUE, 'echo', { value: 'hi' });
    await expect(queues.waitUntilFinished(QUEUE, id, 5_000)).resolves.toEqual({ echoed: 'hi', attempt: 1 });
    const job = await queues.getJob(QUEUE, id);
    expect(job).toMatchObject({
      id,
      queue: QUEUE,
      name: 'echo',
      data: { value: 'hi' },
      state: 'completed',
      attemptsMade: 0,
    });
    expect(job?.returnValue).toEqual({ echoed: 'hi', attempt: 1 });
  });

  it('retries a failing job with exponential backoff, then fails it with the last reason', async () => {
    const id = await queues.add(QUEUE, 'always-fails', {}, { attempts: 3, backoffMs: 100 });
    await expect(queues.waitUntilFinished(QUEUE, id, 10_000)).rejects.toThrow('boom on attempt 3');
    const job = await queues.getJob(QUEUE, id);
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 3, failedReason: 'boom on attempt 3' });
    const [first, second, third] = processor.attemptsAt.get(id)!;
    // Backoff after the 1st failure is 1×100 ms, after the 2nd 3×100 ms.
    expect(second - first).toBeGreaterThanOrEqual(95);
    expect(third - second).toBeGreaterThanOrEqual(290);
    expect(third - second).toBeGreaterThan(second - first);
  });

  it('succeeds on a later attempt after failures', async () => {
    const id = await queues.add(QUEUE, 'flaky', {}, { attempts: 5, backoffMs: 20 });
    await expect(queues.waitUntilFinished(QUEUE, id, 10_000)).resolves.toBe('recovered');
    expect(await queues.getJob(QUEUE, id)).toMatchObject({ state: 'completed', attemptsMade: 2 });
  });

  it('makes progress observable while the job runs', async () => {
    const id = await queues.add(QUEUE, 'progress', {});
    const running = await until(
      () => queues.getJob(QUEUE, id),
      (job) => job?.state === 'active' && job.progress === 40,
    );
    expect(running).toMatchObject({ state: 'active', progress: 40 });
    processor.releases.get(id)!();
    await expect(queues.waitUntilFinished(QUEUE, id, 5_000)).resolves.toBe('done');
    expect(await queues.getJob(QUEUE, id)).toMatchObject({ state: 'completed', progress: 100 });
  });

  it('fails a job that runs past its timeout, and aborts its signal', async () => {
    const id = await queues.add(QUEUE, 'hangs', {}, { timeoutMs: 200, attempts: 1 });
    await expect(queues.waitUntilFinished(QUEUE, id, 5_000)).rejects.toThrow('Job timed out after 200 ms');
    expect(await queues.getJob(QUEUE, id)).toMatchObject({
      state: 'failed',
      failedReason: 'Job timed out after 200 ms',
    });
    expect(processor.aborted.has(id)).toBe(true);
  });

  it('counts jobs by state and reports the backend healthy', async () => {
    const counts = await queues.counts(QUEUE);
    expect(counts.completed).toBeGreaterThanOrEqual(3);
    expect(counts.failed).toBeGreaterThanOrEqual(2);
    expect(queues.knownQueues()).toContain(QUEUE);
  });

  it('answers a ping through its own system queue', async () => {
    const result = await queues.ping(5_000);
    expect(result.pid).toBe(process.pid);
    expect(result.roundTripMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a job with fewer than one attempt', async () => {
    await expect(queues.add(QUEUE, 'echo', {}, { attempts: 0 })).rejects.toThrow(RangeError);
  });
});
