import request from 'supertest';
import { QueueService, SYSTEM_QUEUE } from '@keel/queue';
import { describeWith } from '../support/services';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import { buildOnce, spawnServer, type ServerProcess, waitUntilReady } from '../support/server-process';
import { bootTestApp, type TestApp } from '../support/test-app';

describeWith('redis', 'API and a separate worker process (bull on Redis)', () => {
  const prefix = uniqueRedisPrefix('worker');
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, QUEUE_WORKER_IN_API: 'false' };
  let api: TestApp;
  let worker: ServerProcess | undefined;

  beforeAll(async () => {
    buildOnce();
    api = await bootTestApp(env);
  });

  afterAll(async () => {
    worker?.cleanup();
    await api?.close();
    await deleteRedisKeys(prefix);
  });

  it('leaves jobs waiting while no worker runs (the API runs no processors)', async () => {
    const queues = api.app.get(QueueService);
    expect(queues.driverName).toBe('bull');
    await expect(queues.ping(1_000)).rejects.toThrow(/did not finish within 1000 ms/);
    expect((await queues.counts(SYSTEM_QUEUE)).waiting).toBe(1);
  });

  it('has jobs enqueued by the API run by `node dist/worker`, which serves only health probes', async () => {
    worker = await spawnServer({ ...env, LOG_FORMAT: 'json' }, 'worker', 'build');
    await waitUntilReady(worker);
    const queues = api.app.get(QueueService);

    const result = await queues.ping(15_000);
    expect(result.pid).toBe(worker.child.pid);
    expect(result.pid).not.toBe(process.pid);
    // The job left waiting before the worker started has been taken too.
    const counts = await queues.counts(SYSTEM_QUEUE);
    expect(counts.waiting).toBe(0);
    expect(counts.completed).toBeGreaterThanOrEqual(2);

    const ready = await request(worker.baseUrl).get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details)).toEqual([
      'database',
      'redis',
      'cache',
      'queue',
      'storage',
      'mail',
      'sentry',
      'otel',
    ]);
    await request(worker.baseUrl).get('/docs-json').expect(404);
    await request(worker.baseUrl).get('/storage/download').expect(404);
  });

  it('stops cleanly on SIGTERM', async () => {
    worker!.child.kill('SIGTERM');
    expect([0, 'SIGTERM']).toContain(await worker!.exited);
  });
});
