import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheService } from '@keel/cache';
import { QueueService } from '@keel/queue';
import { RedisService } from '@keel/redis';
import request from 'supertest';
import { describeWith } from '../support/services';
import { TestRedisServer } from '../support/redis-server';
import { bootTestApp, type TestApp } from '../support/test-app';

/** Connecting (through a sentinel, or discovering a cluster) takes a moment after boot. */
async function waitUntilReady(baseUrl: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await request(baseUrl).get('/health/ready')).status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not ready after 10 s');
}

/** Keel on its own redis-server processes in Sentinel and Cluster topologies (all on loopback). */
describeWith('redis', 'Redis through Sentinel', () => {
  let master: TestRedisServer;
  let sentinel: TestRedisServer;
  let t: TestApp;

  beforeAll(async () => {
    master = await TestRedisServer.start();
    sentinel = await TestRedisServer.start((self) => {
      const conf = join(self.directory, 'sentinel.conf');
      writeFileSync(conf, `sentinel monitor keelmaster 127.0.0.1 ${master.port} 1\n`);
      return [conf, '--sentinel'];
    });
    t = await bootTestApp({
      REDIS_MODE: 'sentinel',
      REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
      REDIS_SENTINEL_NAME: 'keelmaster',
    });
  });

  afterAll(async () => {
    await t?.close();
    await sentinel?.dispose();
    await master?.dispose();
  });

  it('finds the master through the sentinel and serves cache and queue from it', async () => {
    await waitUntilReady(t.baseUrl);
    const redis = t.app.get(RedisService);
    expect(redis.mode).toBe('sentinel');
    await t.app.get(CacheService).set('via-sentinel', 42);
    expect(await t.app.get(CacheService).get('via-sentinel')).toBe(42);
    expect((await t.app.get(QueueService).ping(10_000)).pid).toBe(process.pid);
    const ready = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(ready.body.info.redis).toMatchObject({ mode: 'sentinel', status: 'up' });
  });
});

describeWith('redis', 'Redis Cluster', () => {
  const nodes: TestRedisServer[] = [];
  let t: TestApp;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await TestRedisServer.start((self) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(self.directory, 'nodes.conf'),
        ]),
      );
    }
    const redisCli = TestRedisServer.binary().replace(/redis-server$/, 'redis-cli');
    execFileSync(redisCli, [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    // Wait until every node agrees the cluster is up.
    for (const node of nodes) {
      for (let i = 0; i < 100; i++) {
        const info = execFileSync(redisCli, ['-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8' });
        if (info.includes('cluster_state:ok')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    t = await bootTestApp({
      REDIS_MODE: 'cluster',
      REDIS_CLUSTER_NODES: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(nodes.map((n) => n.dispose()));
  });

  it('spreads cache keys over the nodes and runs Bull jobs with a hash-tagged prefix', async () => {
    await waitUntilReady(t.baseUrl);
    const cache = t.app.get(CacheService);
    for (let i = 0; i < 20; i++) await cache.set(`spread-${i}`, i);
    for (let i = 0; i < 20; i++) expect(await cache.get(`spread-${i}`)).toBe(i);
    const redisCli = TestRedisServer.binary().replace(/redis-server$/, 'redis-cli');
    const perNode = nodes.map((n) =>
      Number(execFileSync(redisCli, ['-p', String(n.port), 'dbsize'], { encoding: 'utf8' })),
    );
    expect(perNode.filter((count) => count > 0).length).toBeGreaterThan(1);

    expect((await t.app.get(QueueService).ping(10_000)).pid).toBe(process.pid);
    const ready = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(ready.body.info.redis).toMatchObject({ mode: 'cluster', status: 'up' });
  });

  it('clears only its own cache keys on every node', async () => {
    const cache = t.app.get(CacheService);
    await cache.clear();
    for (let i = 0; i < 20; i++) expect(await cache.get(`spread-${i}`)).toBeUndefined();
  });
});
