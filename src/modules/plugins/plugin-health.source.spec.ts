import type { HealthCheckRegistry, RegisteredCheck } from '../health/health-check.registry';
import { PluginHealthSource } from './plugin-health.source';
import type { PluginInstallationsService } from './plugin-installations.service';
import type { PluginRuntimeService } from './plugin-runtime.service';
import type { PluginVersion } from './plugin-version.entity';
import type { SupervisorStatus } from './runtime/plugin-process.supervisor';

const version = (pluginId: string, id: string, v = '1.0.0') => ({ id, pluginId, version: v }) as PluginVersion;
const status = (state: SupervisorStatus['state'], extra: Partial<SupervisorStatus> = {}): SupervisorStatus => ({
  state,
  restarts: 0,
  activeCalls: 0,
  queued: 0,
  ...extra,
});

/** Unit test with stand-ins for the database and the runtime: what each plugin's indicator says. */
describe('PluginHealthSource', () => {
  async function checks(
    installed: PluginVersion[],
    statuses: Array<{ version: PluginVersion; status: SupervisorStatus }>,
  ): Promise<Record<string, unknown>> {
    let source: (() => Promise<RegisteredCheck[]>) | undefined;
    const registry = {
      addSource: (s: () => Promise<RegisteredCheck[]>) => (source = s),
    } as unknown as HealthCheckRegistry;
    const installations = {
      installedVersions: () => Promise.resolve(installed),
    } as unknown as PluginInstallationsService;
    const runtime = { statuses: () => statuses } as unknown as PluginRuntimeService;
    new PluginHealthSource(registry, installations, runtime).onModuleInit();
    const results: Record<string, unknown> = {};
    for (const check of await source!()) {
      expect(check.critical).toBe(false);
      Object.assign(results, await check.run());
    }
    return results;
  }

  it('reports an installed plugin that never ran as up and idle, a running one with its process', async () => {
    const a = version('acme/a', 'va');
    const b = version('acme/b', 'vb');
    expect(await checks([a, b], [{ version: b, status: status('running', { pid: 42, rssBytes: 1024 }) }])).toEqual({
      'plugin:acme/a': { status: 'up', version: '1.0.0', state: 'idle' },
      'plugin:acme/b': { status: 'up', version: '1.0.0', state: 'running', pid: 42, restarts: 0, rssBytes: 1024 },
    });
  });

  it('reports a plugin given up on, or restarting, as down with the reason', async () => {
    const a = version('acme/a', 'va');
    const b = version('acme/b', 'vb');
    const result = await checks(
      [a, b],
      [
        { version: a, status: status('error', { reason: 'exited with code 1 (6 failures within 60 s)', restarts: 5 }) },
        { version: b, status: status('restarting', { reason: 'no heartbeat for 61000 ms', restarts: 1 }) },
      ],
    );
    expect(result['plugin:acme/a']).toMatchObject({
      status: 'down',
      state: 'error',
      message: 'exited with code 1 (6 failures within 60 s)',
    });
    expect(result['plugin:acme/b']).toMatchObject({
      status: 'down',
      state: 'restarting',
      message: 'no heartbeat for 61000 ms',
    });
  });

  it('lists every installed version of one plugin under its one indicator', async () => {
    const v1 = version('acme/a', 'v1', '1.0.0');
    const v2 = version('acme/a', 'v2', '2.0.0');
    const result = (await checks([v1, v2], [{ version: v2, status: status('running', { pid: 7 }) }]))['plugin:acme/a'];
    expect(result).toEqual({
      status: 'up',
      state: 'idle',
      versions: [
        { version: '1.0.0', state: 'idle' },
        { version: '2.0.0', state: 'running', pid: 7, restarts: 0 },
      ],
    });
  });
});
