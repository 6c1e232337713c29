import { existsSync } from 'node:fs';
import { addKeelContenders, type Contender, bareProxyContender, type KeelTarget } from './contenders';
import { KEEL_ENTRY } from './keel-process';
import { CONCURRENCY, DURATION_MS, ROUNDS } from './knobs';
import { row } from './report';
import { runRounds } from './rounds';
import { startUpstream } from './upstream';

export interface StreamingBench {
  /** Opens the heading, e.g. `streamed chat`. */
  title: string;
  /** The streamed request each Keel contender is loaded with. */
  keelTarget: KeelTarget;
  /** Prints the lines that follow a Keel contender's row; true when it is within the budgets. */
  judge(keel: Contender, proxy: Contender): boolean;
}

/**
 * The shape every streaming benchmark shares: the fake upstream, the bare proxy and one Keel per
 * database, interleaved rounds, a row per contender, and exit code 1 when a Keel is over budget.
 * Every process started is stopped, whatever fails.
 */
export function runStreamingBench(bench: StreamingBench): void {
  run(bench).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

async function run(bench: StreamingBench): Promise<void> {
  if (!existsSync(KEEL_ENTRY)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const upstream = await startUpstream();
  const contenders: Contender[] = [];
  try {
    contenders.push(await bareProxyContender(upstream.baseUrl));
    await addKeelContenders(contenders, upstream.baseUrl, bench.keelTarget);

    console.log(
      `${bench.title}, ${CONCURRENCY} concurrent clients, ${ROUNDS} rounds of ${DURATION_MS / 1000} s per target`,
    );
    await runRounds(contenders);

    const [proxy, ...keels] = contenders;
    console.log(row(proxy.name, proxy.results));
    let within = true;
    for (const keel of keels) {
      console.log(row(keel.name, keel.results));
      within = bench.judge(keel, proxy) && within;
    }
    if (!within) process.exitCode = 1;
  } finally {
    for (const contender of contenders) await contender.stop();
    await upstream.stop();
  }
}
