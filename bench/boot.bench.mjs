// Boot-to-ready benchmark: time from spawning `node dist/main` (embedded defaults: SQLite, fresh
// data directory) until GET /health/ready answers 200. The baseline, in the same run, is a bare
// `node:http` server spawned the same way and polled the same way, so the ratio is what Keel adds
// over starting Node at all. Budget (ARCHITECTURE.md §8): median ≤ 2 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const RUNS = Number(process.argv[2] ?? 7);
const BUDGET_MS = 2000;
const BASELINE = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

if (!existsSync(join(ROOT, 'dist/main.js'))) {
  console.error('dist/main.js is missing: run `npm run build` first (npm run bench:boot does).');
  process.exit(1);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function timeToReady(args, path) {
  const cwd = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SECRET_KEY: 'b'.repeat(48),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
      if (performance.now() - started > 30_000) throw new Error('not ready after 30 s');
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const keel = [];
const bare = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(await timeToReady(['-e', BASELINE], '/'));
  keel.push(await timeToReady([join(ROOT, 'dist/main.js')], '/health/ready'));
}
const keelMedian = median(keel);
const bareMedian = median(bare);
console.log(`boot to /health/ready, embedded defaults, ${RUNS} runs`);
console.log(
  `  keel  median ${keelMedian.toFixed(0)} ms  (min ${Math.min(...keel).toFixed(0)}, max ${Math.max(...keel).toFixed(0)})`,
);
console.log(`  bare node:http median ${bareMedian.toFixed(0)} ms`);
console.log(
  `  ratio keel/bare ${(keelMedian / bareMedian).toFixed(2)}x; budget ${BUDGET_MS} ms: ${keelMedian <= BUDGET_MS ? 'within' : 'OVER'}`,
);
