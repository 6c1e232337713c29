import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginRequest } from '@keel/plugin-sdk/protocol';
import {
  PluginBusyError,
  PluginCrashedError,
  PluginSessionError,
  PluginStartError,
  PluginTimeoutError,
  PluginUnavailableError,
} from './plugin-call.errors';
import { buildLaunchSpec } from './plugin-launch-spec';
import { PluginSupervisor, type SupervisorOptions } from './plugin-process.supervisor';

const FIXTURES = join(__dirname, 'fixtures');
const MiB = 1024 * 1024;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

const tool = (name: string, parameters: Record<string, unknown> = {}): PluginRequest => ({
  type: 'tool',
  action: 'invoke',
  provider: 'fixture',
  tool: name,
  parameters,
  credentials: {},
});

const noBackwards = {
  onBackwards: async function* () {
    yield* [];
    throw Object.assign(new Error('no backwards calls here'), { errorType: 'PermissionDenied' });
  },
};

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The supervisor against real child processes: a raw-protocol fixture plugin whose tools
 * misbehave on purpose. Each fault test asserts the caller's error, the restart, and that the
 * next call succeeds.
 */
describe('PluginSupervisor', () => {
  let scratch: string;
  const supervisors: PluginSupervisor[] = [];

  function supervise(overrides: Partial<SupervisorOptions> = {}, env: Record<string, string> = {}) {
    const spec = buildLaunchSpec({
      pluginId: 'test/fixture',
      dir: FIXTURES,
      entrypoint: 'raw-plugin.js',
      memoryBytes: 256 * MiB,
      scratchDir: scratch,
      heartbeatIntervalMs: 200,
    });
    const supervisor = new PluginSupervisor({
      name: 'test/fixture',
      spec: { ...spec, env: { ...spec.env, ...env } },
      heartbeatIntervalMs: 200,
      memoryLimitBytes: 256 * MiB,
      memorySampleMs: 50,
      callTimeoutMs: 5_000,
      cancelGraceMs: 300,
      maxConcurrent: 4,
      maxQueued: 4,
      idleStopMs: 0,
      backoffBaseMs: 20,
      backoffMaxMs: 100,
      logger: quiet,
      ...overrides,
    });
    supervisors.push(supervisor);
    return supervisor;
  }

  const pidOf = (supervisor: PluginSupervisor) => supervisor.describe().pid;

  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), 'keel-plugin-scratch-'))));
  afterEach(async () => {
    await Promise.all(supervisors.splice(0).map((s) => s.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts on first use and multiplexes concurrent sessions', async () => {
    const supervisor = supervise();
    expect(supervisor.describe().state).toBe('idle');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((text) => collect(supervisor.call(tool('echo', { text }), noBackwards))),
    );
    expect(results).toEqual(
      ['a', 'b', 'c'].map((text) => [
        { type: 'text', text },
        { type: 'text', text },
      ]),
    );
    expect(supervisor.describe()).toMatchObject({ state: 'running', restarts: 0, activeCalls: 0 });
    await expect(collect(supervisor.call(tool('nope'), noBackwards))).rejects.toThrow(PluginSessionError);
  });

  it('restarts a process killed mid-call; the caller gets plugin_crashed, the next call succeeds', async () => {
    const supervisor = supervise();
    await supervisor.start();
    const first = pidOf(supervisor)!;
    const call = collect(supervisor.call(tool('slow'), noBackwards));
    await until(() => supervisor.describe().activeCalls === 1, 'call in flight');
    process.kill(first, 'SIGKILL');
    await expect(call).rejects.toThrow(PluginCrashedError);
    expect(await collect(supervisor.call(tool('echo', { text: 'back' }), noBackwards))).toHaveLength(2);
    expect(pidOf(supervisor)).not.toBe(first);
    expect(supervisor.describe().restarts).toBe(1);
  });

  it('times out a call that never returns and restarts the process that ignores the cancel', async () => {
    const supervisor = supervise({ callTimeoutMs: 300 });
    await supervisor.start();
    const first = pidOf(supervisor);
    await expect(collect(supervisor.call(tool('slow'), noBackwards))).rejects.toThrow(PluginTimeoutError);
    await until(() => supervisor.describe().restarts === 1 && supervisor.describe().state === 'running', 'restart');
    expect(pidOf(supervisor)).not.toBe(first);
    expect(await collect(supervisor.call(tool('echo', { text: 'ok' }), noBackwards))).toHaveLength(2);
  });

  it('restarts a process that blocks its event loop (missed heartbeats)', async () => {
    const supervisor = supervise({ callTimeoutMs: 10_000 });
    await expect(collect(supervisor.call(tool('block'), noBackwards))).rejects.toThrow(PluginCrashedError);
    expect(supervisor.describe().reason ?? '').toMatch(/heartbeat/);
    expect(await collect(supervisor.call(tool('echo', { text: 'ok' }), noBackwards))).toHaveLength(2);
  });

  it('restarts a live process that stops sending heartbeats', async () => {
    const supervisor = supervise();
    await collect(supervisor.call(tool('silent'), noBackwards));
    const first = pidOf(supervisor);
    await until(() => supervisor.describe().restarts === 1, 'restart after missed heartbeats');
    await until(() => supervisor.describe().state === 'running', 'running again');
    expect(pidOf(supervisor)).not.toBe(first);
  });

  it.each([
    ['Buffers outside the V8 heap', 'buffers'],
    ['heap objects', 'heap'],
  ])('kills a plugin that allocates past its memory cap (%s), then serves again', async (_label, name) => {
    const supervisor = supervise({ memoryLimitBytes: 96 * MiB, callTimeoutMs: 20_000 });
    await expect(collect(supervisor.call(tool(name), noBackwards))).rejects.toThrow(PluginCrashedError);
    expect(supervisor.describe().restarts).toBe(1);
    expect(await collect(supervisor.call(tool('echo', { text: 'ok' }), noBackwards))).toHaveLength(2);
  });

  it('ignores garbage on stdout', async () => {
    const supervisor = supervise();
    expect(await collect(supervisor.call(tool('garbage'), noBackwards))).toEqual([{ type: 'text', text: 'fine' }]);
    expect(supervisor.describe().restarts).toBe(0);
  });

  it('denies reads outside the plugin directory and child processes, without crashing', async () => {
    const outside = join(tmpdir(), `keel-outside-${process.pid}.txt`);
    writeFileSync(outside, 'secret');
    try {
      const supervisor = supervise();
      expect(await collect(supervisor.call(tool('read', { path: outside }), noBackwards))).toEqual([
        { type: 'json', json: { read: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED' } },
      ]);
      expect(
        await collect(supervisor.call(tool('read', { path: join(FIXTURES, 'raw-plugin.js') }), noBackwards)),
      ).toEqual([{ type: 'json', json: { read: 'allowed', spawn: 'ERR_ACCESS_DENIED' } }]);
      expect(supervisor.describe()).toMatchObject({ state: 'running', restarts: 0 });
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('answers backwards calls, and reports their refusal to the plugin', async () => {
    const supervisor = supervise();
    const answered = await collect(
      supervisor.call(tool('storage', { key: 'k' }), {
        onBackwards: async function* (invocation) {
          yield { value: Buffer.from(`value of ${(invocation.request as { key: string }).key}`).toString('base64') };
        },
      }),
    );
    expect(answered).toEqual([{ type: 'json', json: [{ value: Buffer.from('value of k').toString('base64') }] }]);
    const denied = collect(supervisor.call(tool('storage', { key: 'k' }), noBackwards));
    await expect(denied).rejects.toThrow(/PermissionDenied: no backwards calls here/);
  });

  it('bounds calls in flight: the queue takes a few, more get plugin_busy (429), in-flight ones finish', async () => {
    const supervisor = supervise({ maxConcurrent: 2, maxQueued: 1 });
    await supervisor.start();
    const running = [1, 2, 3].map(() => collect(supervisor.call(tool('wait', { ms: 300 }), noBackwards)));
    await until(
      () => supervisor.describe().activeCalls === 2 && supervisor.describe().queued === 1,
      'two in flight, one queued',
    );
    const refused = collect(supervisor.call(tool('echo', { text: 'x' }), noBackwards));
    await expect(refused).rejects.toThrow(PluginBusyError);
    await expect(refused).rejects.toMatchObject({ code: 'plugin_busy', status: 429 });
    expect(await Promise.all(running)).toEqual(Array(3).fill([{ type: 'text', text: 'waited' }]));
  });

  it('gives up on a plugin that keeps failing to start: state error, calls fail fast', async () => {
    const supervisor = supervise({ maxRestarts: 2 }, { FIXTURE_MODE: 'exit' });
    await expect(collect(supervisor.call(tool('echo', { text: 'x' }), noBackwards))).rejects.toThrow(PluginStartError);
    await until(() => supervisor.describe().state === 'error', 'given up');
    expect(supervisor.describe().reason).toMatch(/exited with code 7.*3 failures/);
    await expect(collect(supervisor.call(tool('echo', { text: 'x' }), noBackwards))).rejects.toThrow(
      PluginUnavailableError,
    );
  });

  it('stops an idle process and starts it again for the next call', async () => {
    const supervisor = supervise({ idleStopMs: 100 });
    await collect(supervisor.call(tool('echo', { text: 'x' }), noBackwards));
    const first = pidOf(supervisor);
    await until(() => supervisor.describe().state === 'stopped', 'idle stop');
    expect(supervisor.describe().pid).toBeUndefined();
    expect(await collect(supervisor.call(tool('echo', { text: 'y' }), noBackwards))).toHaveLength(2);
    expect(pidOf(supervisor)).not.toBe(first);
  });
});
