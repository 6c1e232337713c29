import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractPackage, readPackage, replaceZipComment } from '@keel/plugin-package';
import { ensureSdkBuilt, REPO_DIR, SDK_DIR } from './sdk-build.spec-support';

/**
 * The built command, end to end, as a plugin author runs it: init → keygen → pack → sign →
 * verify, in a scratch directory. The suite builds the SDK first (its part of `npm run build`,
 * a few seconds), so it always tests the current sources, in CI too.
 */
const sdk = SDK_DIR;
const repo = REPO_DIR;
// The npm link when `npm install` made it; the committed launcher otherwise (same file).
const linked = join(repo, 'node_modules', '.bin', 'keel-plugin');
const bin = existsSync(linked) ? linked : join(sdk, 'bin', 'keel-plugin.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the bin itself (its shebang and mode included), with `input` on stdin. */
function keelPlugin(cwd: string, args: string[], input = ''): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('keel-plugin (built)', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureSdkBuilt();
    dir = mkdtempSync(join(tmpdir(), 'keel-plugin-bin-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an executable file with a shebang', () => {
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(readFileSync(join(sdk, 'dist', 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('init → keygen → pack → sign → verify; verify fails with another key and after tampering', async () => {
    const init = await keelPlugin(dir, ['init', 'hello-tool', '--author', 'spec']);
    expect(init).toMatchObject({ code: 0 });
    expect(existsSync(join(dir, 'hello-tool', 'manifest.yaml'))).toBe(true);

    const keygen = await keelPlugin(dir, ['keygen']);
    expect(keygen.code).toBe(0);
    expect(readFileSync(join(dir, 'private.pem'), 'utf8')).toContain('PRIVATE KEY');
    expect(readFileSync(join(dir, 'public.pem'), 'utf8')).toContain('PUBLIC KEY');
    expect((await keelPlugin(dir, ['keygen'])).code).not.toBe(0); // never overwrites a key

    const pack = await keelPlugin(dir, ['pack', 'hello-tool', '-o', 'hello.keelpkg']);
    expect(pack.stderr).toBe('');
    expect(pack.code).toBe(0);
    expect(statSync(join(dir, 'hello.keelpkg')).size).toBeGreaterThan(0);

    const unsigned = await keelPlugin(dir, ['verify', 'hello.keelpkg', '--pubkey', 'public.pem']);
    expect(unsigned.code).not.toBe(0);

    const sign = await keelPlugin(dir, ['sign', 'hello.keelpkg', '--key', 'private.pem']);
    expect(sign.code).toBe(0);
    const verify = await keelPlugin(dir, ['verify', 'hello.keelpkg', '--pubkey', 'public.pem']);
    expect(verify.code).toBe(0);

    mkdirSync(join(dir, 'other'));
    expect((await keelPlugin(join(dir, 'other'), ['keygen'])).code).toBe(0);
    const wrongKey = await keelPlugin(dir, ['verify', 'hello.keelpkg', '--pubkey', join('other', 'public.pem')]);
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).not.toBe('');

    // The signature of hello.keelpkg on a package whose main.js was changed afterwards.
    const signature = (await readPackage(join(dir, 'hello.keelpkg'))).comment;
    const mainJs = join(dir, 'hello-tool', 'main.js');
    const original = readFileSync(mainJs, 'utf8');
    writeFileSync(mainJs, `${original}// changed after signing\n`);
    expect((await keelPlugin(dir, ['pack', 'hello-tool', '-o', 'changed.keelpkg'])).code).toBe(0);
    writeFileSync(mainJs, original);
    writeFileSync(
      join(dir, 'tampered.keelpkg'),
      replaceZipComment(readFileSync(join(dir, 'changed.keelpkg')), signature),
    );
    const tampered = await keelPlugin(dir, ['verify', 'tampered.keelpkg', '--pubkey', 'public.pem']);
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toContain('invalid');

    const copy = await keelPlugin(dir, ['sign', 'hello.keelpkg', '--key', 'private.pem', '-o', 'copy.keelpkg']);
    expect(copy.code).toBe(0);
    expect((await keelPlugin(dir, ['verify', 'copy.keelpkg', '--pubkey', 'public.pem'])).code).toBe(0);
  });

  it('packs the SDK runtime into the package, so the packed plugin runs with nothing installed', async () => {
    const result = await keelPlugin(dir, ['pack', 'hello-tool', '-o', 'run.keelpkg']);
    expect(result.code).toBe(0);
    const pkg = await readPackage(join(dir, 'run.keelpkg'));
    const paths = pkg.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['manifest.yaml', 'main.js', 'node_modules/@keel/plugin-sdk/package.json']),
    );
    expect(paths).toContain('node_modules/@keel/plugin-sdk/lib/index.js');
    expect(paths.some((path) => path.endsWith('.ts') || path.endsWith('.map'))).toBe(false);

    // Unpacked where nothing else is installed, the entrypoint finds the SDK in the package alone.
    const unpacked = await extractPackage(pkg, dir);
    const child = spawn(process.execPath, ['main.js'], {
      cwd: unpacked,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    child.stdin.end(
      `${JSON.stringify({
        session_id: 's1',
        event: 'request',
        data: { type: 'tool', action: 'invoke', provider: 'hello_tool', tool: 'echo', parameters: { text: 'packed' } },
      })}\n`,
    );
    expect(await exited).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { event: string; session_id?: string; data: { type?: string; data?: unknown } },
      );
    expect(lines[0].event).toBe('heartbeat');
    expect(
      lines.filter((line) => line.event === 'session' && line.session_id === 's1').map((line) => line.data),
    ).toEqual([
      { type: 'stream', data: { type: 'text', text: 'packed' } },
      { type: 'end', data: {} },
    ]);
  });

  it.each(['notes', 'reverse-llm'])(
    'packs the example plugin %s (a valid manifest, every file it names present)',
    async (name) => {
      const file = join(dir, `${name}.keelpkg`);
      const result = await keelPlugin(dir, ['pack', join(repo, 'examples', 'plugins', name), '-o', file]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const pkg = await readPackage(file);
      expect(pkg.pluginId).toBe(`keel/${name}`);
    },
  );

  it('run drives the plugin: piped requests in, answers out, exit 0 when the input ends', async () => {
    const run = await keelPlugin(
      dir,
      ['run', 'hello-tool'],
      '{"tool": "echo", "parameters": {"text": "hi there", "times": 2}}\n{"tool": "echo", "parameters": {}}\n',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('plugin ready');
    expect(run.stdout.match(/\[run-2\] text: hi there/g)).toHaveLength(2);
    expect(run.stdout).toContain('[run-3] error InvalidParameter (text): parameter "text" is required');
  });
});
