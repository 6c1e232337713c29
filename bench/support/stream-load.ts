import type { ChildProcess } from 'node:child_process';
import { CONCURRENCY, DURATION_MS, WARMUP_MS } from './knobs';
import { cpuMs } from './process-cpu';

/** One streamed POST, repeated under load. */
export interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** A response header holding a number (e.g. a server-side timing) to keep from every response. */
  recordHeader?: string;
}

export interface Result {
  requests: number;
  rps: number;
  /** Time to the first event of each request, ms. */
  ttfe: number[];
  /** The values of `Target.recordHeader`, one per request (empty without it). */
  recorded: number[];
  /** CPU time the server process spent per request (user + system), when /proc can tell. */
  cpuMsPerRequest?: number;
}

interface Sample {
  ttfe: number;
  recorded?: number;
}

/** One streamed request: time to the first byte of the body (the first event), then drain. */
async function once(target: Target): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  if (res.status !== 200) throw new Error(`${target.url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body!.getReader();
  const first = await reader.read();
  const ttfe = performance.now() - started;
  if (first.done) throw new Error('empty stream');
  const recorded = target.recordHeader === undefined ? undefined : numericHeader(res, target.recordHeader);
  if (typeof recorded === 'string') throw new Error(`${target.url} answered ${recorded}`);
  while (!(await reader.read()).done) {
    // drain
  }
  return { ttfe, recorded };
}

/** The header's value as a number, or (for the caller's message) what came instead. */
export function numericHeader(res: Response, name: string): number | string {
  const raw = res.headers.get(name);
  const value = raw === null || raw.trim() === '' ? NaN : Number(raw);
  if (Number.isFinite(value)) return value;
  return `without a numeric ${name} header (got ${raw === null ? 'none' : JSON.stringify(raw)})`;
}

async function load(target: Target, durationMs: number): Promise<Result> {
  const ttfe: number[] = [];
  const recorded: number[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const sample = await once(target);
        ttfe.push(sample.ttfe);
        if (sample.recorded !== undefined) recorded.push(sample.recorded);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { requests: ttfe.length, rps: ttfe.length / elapsed, ttfe, recorded };
}

/** Server load is compared as throughput under contention and as CPU time per request, which
 * noisy neighbours on a shared machine disturb far less. */
export async function measure(target: Target, server: ChildProcess): Promise<Result> {
  await load(target, WARMUP_MS);
  const before = cpuMs(server.pid);
  const result = await load(target, DURATION_MS);
  const after = cpuMs(server.pid);
  if (before !== undefined && after !== undefined) result.cpuMsPerRequest = (after - before) / result.requests;
  return result;
}
