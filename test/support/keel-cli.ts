import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface KeelRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `keel <args>` from source as its own process, with only the given environment (run in its
 * DATA_DIR) and `input` on standard input.
 */
export function keelWith(input: string, env: Record<string, string>, ...args: string[]): Promise<KeelRun> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        require.resolve('@swc-node/register'),
        '-r',
        join(ROOT, 'text-assets.register.js'),
        join(ROOT, 'src/cli/keel.cli.ts'),
        ...args,
      ],
      {
        cwd: env.DATA_DIR,
        env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), NODE_ENV: 'test', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `keel <args>` with nothing on standard input. */
export const keel = (env: Record<string, string>, ...args: string[]): Promise<KeelRun> => keelWith('', env, ...args);
