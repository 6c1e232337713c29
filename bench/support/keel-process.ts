import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../test/support/server-process';
import { KEEL_CWD, KEEL_NODE_ARGS } from './knobs';
import { waitUntilReady } from './wait-until-ready';

const ROOT = resolve(__dirname, '../..');
export const KEEL_ENTRY = join(ROOT, 'dist/main.js');

export interface KeelProcess {
  url: string;
  child: ChildProcess;
  /** Ends Keel (SIGTERM, waits for the exit) and removes its working directory. */
  stop(): Promise<void>;
}

/** The built Keel (`node dist/main`) as operators run it, from a fresh working directory. */
export async function startKeel(env: Record<string, string>): Promise<KeelProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const child = spawn(process.env.BENCH_KEEL_NODE ?? process.execPath, [...KEEL_NODE_ARGS, KEEL_ENTRY], {
    cwd: KEEL_CWD ?? cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SECRET_KEY: 'b'.repeat(40),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(cwd, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}/health/ready`, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, child, stop };
}
