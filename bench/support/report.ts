import { median, percentile } from './stats';
import type { Result } from './stream-load';

/** One line per contender: medians over the rounds. */
export function row(name: string, results: Result[]): string {
  const rps = median(results.map((r) => r.rps));
  const p50 = medianOfRounds(results, (r) => r.ttfe, 50);
  const p99 = medianOfRounds(results, (r) => r.ttfe, 99);
  const cpu = results.every((r) => r.cpuMsPerRequest !== undefined)
    ? median(results.map((r) => r.cpuMsPerRequest!)).toFixed(2)
    : '?';
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  return `  ${name.padEnd(24)} ${rps.toFixed(1).padStart(7)} req/s   first event p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${cpu} CPU ms/req   (${requests} requests)`;
}

/** Median over the rounds of a per-round percentile of some per-request series. */
export function medianOfRounds(results: Result[], series: (r: Result) => number[], p: number): number {
  return median(results.map((r) => percentile(series(r), p)));
}

/**
 * Keel's requests/s over the proxy's, round by round: each Keel round against the geometric mean
 * of the proxy round just before it and the one just after it (`runRounds` closes with a proxy
 * round), so a drift in the machine's speed during the round weighs on both sides alike.
 */
export function roundRatios(keel: Result[], proxy: Result[]): number[] {
  return keel.map((r, i) => r.rps / Math.sqrt(proxy[i].rps * (proxy[i + 1] ?? proxy[i]).rps));
}

/** The ratio (median and every round) and whether the budgets, as given, held. */
export function verdictLine(ratios: number[], budgets: string, ok: boolean): string {
  return (
    `    ratio keel/proxy ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
    `budgets: ${budgets}: ${ok ? 'within' : 'OVER'}`
  );
}
