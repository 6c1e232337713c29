import { buildLaunchSpec } from './plugin-launch-spec';

describe('buildLaunchSpec', () => {
  const spec = buildLaunchSpec({
    pluginId: 'acme/notes',
    dir: '/var/keel/plugins/acme/notes/1.0.0@abc',
    entrypoint: 'main.js',
    memoryBytes: 128 * 1024 * 1024,
    scratchDir: '/var/keel/plugins/.scratch/acme/notes/1.0.0@abc',
    heartbeatIntervalMs: 30_000,
  });

  it('runs node under the permission model: reads in its directories, writes in its scratch only', () => {
    expect(spec.command).toBe(process.execPath);
    expect(spec.args).toEqual([
      '--max-old-space-size=128',
      '--experimental-permission',
      '--allow-fs-read=/var/keel/plugins/acme/notes/1.0.0@abc/',
      '--allow-fs-read=/var/keel/plugins/.scratch/acme/notes/1.0.0@abc/',
      '--allow-fs-write=/var/keel/plugins/.scratch/acme/notes/1.0.0@abc/',
      '--disable-warning=ExperimentalWarning',
      'main.js',
    ]);
    expect(spec.args.some((arg) => /allow-(child-process|worker|addons)/.test(arg))).toBe(false);
    expect(spec.cwd).toBe('/var/keel/plugins/acme/notes/1.0.0@abc');
  });

  it('gives the plugin an environment of its own, with nothing of the server', () => {
    process.env.KEEL_TEST_SECRET = 'do-not-leak';
    try {
      const env = buildLaunchSpec({
        pluginId: 'acme/notes',
        dir: '/p',
        entrypoint: 'main.js',
        memoryBytes: 1024,
        scratchDir: '/s',
        heartbeatIntervalMs: 500,
      }).env;
      expect(env).toEqual({
        NODE_ENV: 'production',
        TZ: 'UTC',
        LANG: 'C.UTF-8',
        KEEL_PLUGIN_ID: 'acme/notes',
        KEEL_PLUGIN_SCRATCH_DIR: '/s',
        KEEL_PLUGIN_HEARTBEAT_MS: '500',
      });
    } finally {
      delete process.env.KEEL_TEST_SECRET;
    }
  });

  it('never gives V8 less than 16 MiB of heap', () => {
    expect(spec.args[0]).toBe('--max-old-space-size=128');
    expect(
      buildLaunchSpec({
        pluginId: 'a/b',
        dir: '/p',
        entrypoint: 'm.js',
        memoryBytes: 1,
        scratchDir: '/s',
        heartbeatIntervalMs: 1,
      }).args[0],
    ).toBe('--max-old-space-size=16');
  });
});
