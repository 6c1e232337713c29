import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The SDK's directory and the repository root. */
export const SDK_DIR = resolve(__dirname, '..', '..');
export const REPO_DIR = resolve(SDK_DIR, '..', '..');

const STAMP = join(SDK_DIR, 'dist', '.sources-sha256');
const LOCK = join(SDK_DIR, '.build-lock');
const SOURCES = [
  join(SDK_DIR, 'src'),
  join(SDK_DIR, 'scripts'),
  join(REPO_DIR, 'libs', 'plugin-package', 'src'),
  join(SDK_DIR, 'tsconfig.runtime.json'),
];

function hashInto(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) hashInto(hash, join(path, name));
  } else {
    hash.update(path).update('\0').update(readFileSync(path));
  }
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const path of SOURCES) hashInto(hash, path);
  return hash.digest('hex');
}

/**
 * Builds the SDK (dist/lib and dist/cli.js) unless a build of exactly the current sources is
 * there. Suites in parallel Jest workers call this; the build script starts by deleting dist, so a
 * lock directory makes them build one at a time and the source hash makes all but the first skip.
 */
export async function ensureSdkBuilt(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than any build is left over from a killed run.
      if (Date.now() - statSync(LOCK).mtimeMs > 170_000) rmdirSync(LOCK);
      if (Date.now() > deadline) throw new Error(`${LOCK} is held by another build for too long`);
      await sleep(200);
    }
  }
  try {
    const wanted = sourcesHash();
    const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : '';
    if (built !== wanted || !existsSync(join(SDK_DIR, 'dist', 'cli.js'))) {
      execFileSync(process.execPath, [join(SDK_DIR, 'scripts', 'build.mjs')], { cwd: SDK_DIR, stdio: 'pipe' });
      writeFileSync(STAMP, wanted);
    }
  } finally {
    rmdirSync(LOCK);
  }
}
