/**
 * Plugin runtime benchmark: a no-op tool plugin made with the SDK (`keel-plugin init`, `pack`,
 * unpacked as an install would) run under Keel's supervisor — cold start, restart after a crash,
 * no-op call latency (sequential) and throughput (16 in flight), idle resident memory — against
 * ARCHITECTURE.md §8's budgets, with Dify's published figures beside them. The baseline, in the
 * same run and through the same host side, is a bare Node program answering the protocol by hand
 * (no SDK): the floor a plugin process costs on this machine.
 *   npm run bench:plugins
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractPackage, readPackage } from '../libs/plugin-package/src';
import { ensureSdkBuilt } from '../libs/plugin-sdk/src/cli/sdk-build.spec-support';
import { buildLaunchSpec } from '../src/modules/plugins/runtime/plugin-launch-spec';
import { PluginSupervisor } from '../src/modules/plugins/runtime/plugin-process.supervisor';
import { keelPlugin } from '../test/support/keel-plugin-cli';
import { median, percentile } from './support/stats';

const MiB = 1024 * 1024;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const noop = {
  type: 'tool' as const,
  action: 'invoke' as const,
  provider: 'bench',
  tool: 'noop',
  parameters: {},
  credentials: {},
};
const noBackwards = { onBackwards: async function* () {} };

const NOOP_MAIN = `'use strict';
const { definePlugin, defineToolProvider, defineTool } = require('@keel/plugin-sdk');
const noop = defineTool({ name: 'noop', parameters: [], invoke: () => 'ok' });
const plugin = definePlugin({ tools: [defineToolProvider({ name: 'bench', tools: [noop] })] });
module.exports = plugin;
if (require.main === module) plugin.start();
`;

// The floor: the protocol answered by hand, no SDK.
const BARE_MAIN = `'use strict';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
send({ event: 'heartbeat', data: { active_sessions: 0 } });
setInterval(() => send({ event: 'heartbeat', data: { active_sessions: 0 } }), 30000);
let buffered = '';
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let at;
  while ((at = buffered.indexOf('\\n')) >= 0) {
    const m = JSON.parse(buffered.slice(0, at));
    buffered = buffered.slice(at + 1);
    if (m.event !== 'request') continue;
    send({ session_id: m.session_id, event: 'session', data: { type: 'stream', data: { type: 'text', text: 'ok' } } });
    send({ session_id: m.session_id, event: 'session', data: { type: 'end', data: {} } });
  }
});
`;

interface Figures {
  coldStartMs: number;
  restartMs: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
  idleRssMb: number;
}

function supervisorFor(dir: string, scratch: string): PluginSupervisor {
  return new PluginSupervisor({
    name: 'bench/noop',
    spec: buildLaunchSpec({
      pluginId: 'bench/noop',
      dir,
      entrypoint: 'main.js',
      memoryBytes: 256 * MiB,
      scratchDir: scratch,
      heartbeatIntervalMs: 30_000,
    }),
    heartbeatIntervalMs: 30_000,
    memoryLimitBytes: 256 * MiB,
    callTimeoutMs: 60_000,
    maxConcurrent: 64,
    maxQueued: 1024,
    idleStopMs: 0,
    logger: quiet,
  });
}

async function call(supervisor: PluginSupervisor): Promise<void> {
  for await (const item of supervisor.call(noop, noBackwards)) void item;
}

async function measure(dir: string, scratch: string): Promise<Figures> {
  const starts: number[] = [];
  for (let i = 0; i < 7; i++) {
    const supervisor = supervisorFor(dir, scratch);
    const started = performance.now();
    await supervisor.start();
    starts.push(performance.now() - started);
    await supervisor.stop();
  }

  const supervisor = supervisorFor(dir, scratch);
  try {
    await supervisor.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idleRssMb = (supervisor.describe().rssBytes ?? NaN) / MiB;

    const restarts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const pid = supervisor.describe().pid!;
      const killed = performance.now();
      process.kill(pid, 'SIGKILL');
      while (supervisor.describe().state !== 'running' || supervisor.describe().pid === pid) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      restarts.push(performance.now() - killed);
      // Restarts in a row back off further; let the run of failures age out of the count.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    for (let i = 0; i < 500; i++) await call(supervisor); // warm-up
    const latencies: number[] = [];
    for (let i = 0; i < 3_000; i++) {
      const started = performance.now();
      await call(supervisor);
      latencies.push(performance.now() - started);
    }

    let done = 0;
    const until = performance.now() + 3_000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < until) {
          await call(supervisor);
          done++;
        }
      }),
    );
    const callsPerSecond = done / ((performance.now() - started) / 1000);

    return {
      coldStartMs: median(starts),
      restartMs: median(restarts),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      callsPerSecond,
      idleRssMb,
    };
  } finally {
    await supervisor.stop();
  }
}

async function main(): Promise<void> {
  await ensureSdkBuilt();
  const work = mkdtempSync(join(tmpdir(), 'keel-bench-plugins-'));
  try {
    await keelPlugin(work, 'init', 'noop', '--author', 'bench');
    writeFileSync(join(work, 'noop', 'main.js'), NOOP_MAIN);
    await keelPlugin(work, 'pack', 'noop', '-o', 'noop.keelpkg', '--skip-check');
    const sdkDir = await extractPackage(await readPackage(join(work, 'noop.keelpkg')), work);
    const bareDir = mkdtempSync(join(work, 'bare-'));
    writeFileSync(join(bareDir, 'main.js'), BARE_MAIN);
    const scratch = mkdtempSync(join(work, 'scratch-'));

    const bare = await measure(bareDir, scratch);
    const keel = await measure(sdkDir, scratch);

    const line = (name: string, f: Figures) =>
      `  ${name.padEnd(26)} cold start ${f.coldStartMs.toFixed(0).padStart(4)} ms   restart ${f.restartMs.toFixed(0).padStart(4)} ms   ` +
      `no-op call p50 ${f.p50Ms.toFixed(3)} ms, p99 ${f.p99Ms.toFixed(3)} ms   ${f.callsPerSecond.toFixed(0).padStart(6)} calls/s   idle RSS ${f.idleRssMb.toFixed(1)} MB`;
    console.log('plugin runtime (one process, through the supervisor):');
    console.log(line('bare protocol (baseline)', bare));
    console.log(line('SDK plugin (Keel)', keel));
    console.log(
      `    ratio keel/bare: cold start ${(keel.coldStartMs / bare.coldStartMs).toFixed(2)}x, p50 ${(keel.p50Ms / bare.p50Ms).toFixed(2)}x, ` +
        `calls/s ${(keel.callsPerSecond / bare.callsPerSecond).toFixed(2)}x, idle RSS ${(keel.idleRssMb / bare.idleRssMb).toFixed(2)}x`,
    );
    const checks: [string, boolean][] = [
      [`cold start ≤ 500 ms (Dify: 3 s)`, keel.coldStartMs <= 500],
      [`restart ≤ 1 s`, keel.restartMs <= 1_000],
      [`no-op call p50 ≤ 2 ms (Dify: 200 ms)`, keel.p50Ms <= 2],
      [`≥ 1,000 calls/s through one plugin (Dify: 10 QPS)`, keel.callsPerSecond >= 1_000],
      [`idle RSS ≤ 64 MB (Dify: 256 MB per plugin)`, keel.idleRssMb <= 64],
    ];
    for (const [budget, ok] of checks) console.log(`    ${ok ? 'within' : 'OVER  '}  ${budget}`);
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
