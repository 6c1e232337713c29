import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Plugin } from '../plugin';
import { Harness } from '../runtime.spec-support';
import { main } from './main';

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    io: { cwd, stdin: new PassThrough(), stdout, stderr, env: {} },
    out: () => out,
    err: () => err,
  };
}

describe('keel-plugin', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keel-plugin-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('init creates ./<name>/ with a manifest, a provider, a tool and a README', async () => {
    const t = io(dir);
    expect(await main(['init', 'my-plugin', '--author', 'acme'], t.io)).toBe(0);
    const root = join(dir, 'my-plugin');
    for (const file of [
      'manifest.yaml',
      'provider/my_plugin.yaml',
      'tools/echo.yaml',
      'main.js',
      'README.md',
      'icon.svg',
    ]) {
      expect(existsSync(join(root, file))).toBe(true);
    }
    const manifest = readFileSync(join(root, 'manifest.yaml'), 'utf8');
    expect(manifest).toContain('name: my-plugin');
    expect(manifest).toContain('author: acme');
    expect(manifest).toContain('entrypoint: main.js');
    expect(t.out()).toContain('created my-plugin/');
  });

  it("init's tool works as written: its main.js answers an invocation", async () => {
    await main(['init', 'skel', '--author', 'acme'], io(dir).io);
    // Jest maps @keel/plugin-sdk to this package's sources, as the packed copy would resolve it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plugin = require(join(dir, 'skel', 'main.js')) as Plugin;
    const harness = new Harness(plugin);
    try {
      harness.request('s1', {
        type: 'tool',
        action: 'invoke',
        provider: 'skel',
        tool: 'echo',
        parameters: { text: 'hi', times: '2' },
      });
      expect(await harness.streamed('s1')).toEqual([
        { type: 'text', text: 'hi' },
        { type: 'text', text: 'hi' },
      ]);
    } finally {
      await harness.close();
    }
  });

  it('init refuses a bad name (usage, 2) and an existing directory (1)', async () => {
    const bad = io(dir);
    expect(await main(['init', 'My Plugin'], bad.io)).toBe(2);
    expect(bad.err()).toContain('is not a plugin name');
    await main(['init', 'twice', '--author', 'a'], io(dir).io);
    const again = io(dir);
    expect(await main(['init', 'twice', '--author', 'a'], again.io)).toBe(1);
    expect(again.err()).toContain('already exists');
  });

  it.each([
    [['frobnicate'], 'unknown command'],
    [['init'], 'expected 1 argument'],
    [['pack', 'a', 'b'], 'expected 1 argument'],
    [['sign', 'x.keelpkg'], '--key <pem> is required'],
    [['verify', 'x.keelpkg'], '--pubkey <pem> is required'],
    [['keygen', '--bits', '4096'], "Unknown option '--bits'"],
  ])('exits 2 on bad usage: %j', async (argv, message) => {
    const t = io(dir);
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err()).toContain(message);
  });

  it('prints help (exit 0) and the version', async () => {
    const help = io(dir);
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('keel-plugin init <name>');
    const version = io(dir);
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.out().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
