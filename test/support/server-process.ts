import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  cleanup(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Builds `dist/` exactly as `npm run build` does (once per test process). */
let built = false;
export function buildOnce(): void {
  if (built) return;
  execFileSync(join(ROOT, 'node_modules/.bin/nest'), ['build'], { cwd: ROOT, stdio: 'pipe' });
  built = true;
}

/**
 * Runs `src/main.ts` (or `src/worker.ts`) as its own process — from source, or `from: 'build'`
 * the built `dist/<entry>.js` exactly as operators run it — from a fresh
 * working directory and only the given environment. Its stdout and stderr are captured, which is
 * how the log tests read what Keel writes.
 */
export async function spawnServer(
  env: Record<string, string> = {},
  entry: 'main' | 'worker' | 'probe' = 'main',
  from: 'source' | 'build' = 'source',
): Promise<ServerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'keel-proc-'));
  const port = await freePort();
  // `probe` is src/main.ts plus the test-only probe routes (test/support/probe-main.ts).
  const source = entry === 'probe' ? join(ROOT, 'test/support/probe-main.ts') : join(ROOT, `src/${entry}.ts`);
  if (entry === 'probe' && from === 'build') throw new Error('the probe entry runs from source only');
  const args =
    from === 'build'
      ? [join(ROOT, `dist/${entry}.js`)]
      : ['-r', require.resolve('@swc-node/register'), '-r', join(ROOT, 'text-assets.register.js'), source];
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      // The worker serves its health probes on WORKER_HEALTH_PORT, the API on PORT.
      [entry === 'worker' ? 'WORKER_HEALTH_PORT' : 'PORT']: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    cleanup: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** Waits until the server answers /health/ready, or fails with what it printed. */
export async function waitUntilReady(server: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void server.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`server exited before it was ready:\n${server.output()}`);
    try {
      const res = await fetch(`${server.baseUrl}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output()}`);
}
