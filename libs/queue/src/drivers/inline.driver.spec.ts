import { InlineQueueDriver } from './inline.driver';

const defaults = { attempts: 1, backoffMs: 10, timeoutMs: 1_000, keepCompleted: 2, keepFailed: 1 };
const options = { attempts: 1, backoffMs: 10, timeoutMs: 1_000, delayMs: 0 };

describe('InlineQueueDriver', () => {
  let driver: InlineQueueDriver;

  beforeEach(() => {
    driver = new InlineQueueDriver({ driver: 'inline', defaults, runProcessors: true });
  });

  afterEach(() => driver.close());

  it('keeps only the newest QUEUE_KEEP_COMPLETED completed jobs', async () => {
    driver.process('q', 1, async (job) => job.data);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await driver.add('q', 'n', i, options));
    await driver.waitUntilFinished('q', ids[3], 1_000);
    expect(await driver.getJob('q', ids[0])).toBeUndefined();
    expect(await driver.getJob('q', ids[1])).toBeUndefined();
    expect((await driver.getJob('q', ids[2]))?.state).toBe('completed');
    expect((await driver.counts('q')).completed).toBe(2);
  });

  it('treats a repeated jobId as the same job', async () => {
    const first = await driver.add('q', 'n', 1, { ...options, jobId: 'once' });
    const second = await driver.add('q', 'n', 2, { ...options, jobId: 'once' });
    expect(second).toBe(first);
    expect((await driver.getJob('q', first))?.data).toBe(1);
  });

  it('holds jobs until a processor is registered, and delays delayed ones', async () => {
    const id = await driver.add('q', 'n', 'x', options);
    const delayed = await driver.add('q', 'n', 'y', { ...options, delayMs: 50 });
    expect((await driver.getJob('q', id))?.state).toBe('waiting');
    expect((await driver.getJob('q', delayed))?.state).toBe('delayed');
    driver.process('q', 2, async (job) => `done ${String(job.data)}`);
    await expect(driver.waitUntilFinished('q', id, 1_000)).resolves.toBe('done x');
    await expect(driver.waitUntilFinished('q', delayed, 1_000)).resolves.toBe('done y');
  });

  it('rejects waiters when closed before the job ran', async () => {
    const id = await driver.add('q', 'n', 1, options);
    const waiting = driver.waitUntilFinished('q', id, 1_000);
    await driver.close();
    await expect(waiting).rejects.toThrow(/Queue closed/);
  });
});
