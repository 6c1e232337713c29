import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR, SDK_DIR } from '../../libs/plugin-sdk/src/cli/sdk-build.spec-support';

// The npm link when `npm ci` made it; the committed launcher otherwise (same file).
const linked = join(REPO_DIR, 'node_modules', '.bin', 'keel-plugin');
const bin = existsSync(linked) ? linked : join(SDK_DIR, 'bin', 'keel-plugin.js');

/** Runs the built `keel-plugin` bin in `cwd`; resolves with its output, rejects on a non-zero exit. */
export function keelPlugin(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done(output) : fail(new Error(`keel-plugin ${args.join(' ')} exited ${code}: ${output}`)),
    );
  });
}
