import { type TraceCarrier, traceProcess } from '../queue-tracing';
import type { JobContext } from '../queue.types';
import { SYSTEM_QUEUE } from '../system-ping.processor';
import type { ProcessFn, QueueDriver } from './queue-driver';

export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Job timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/**
 * One attempt with a deadline, the same for both drivers so that a timeout reads the same
 * everywhere. The processor's signal is aborted when the deadline passes, so well-behaved
 * processors stop their work instead of running on in the background.
 */
export async function runAttempt(
  fn: ProcessFn,
  context: Omit<JobContext, 'signal'>,
  timeoutMs: number,
  shutdown: AbortSignal,
  trace: { system: QueueDriver['name']; carrier?: TraceCarrier },
): Promise<unknown> {
  if (context.queue === SYSTEM_QUEUE) return attempt(fn, context, timeoutMs, shutdown);
  return traceProcess(context, trace.system, trace.carrier, () => attempt(fn, context, timeoutMs, shutdown));
}

async function attempt(
  fn: ProcessFn,
  context: Omit<JobContext, 'signal'>,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<unknown> {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown.reason);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    return await withDeadline(fn({ ...context, signal: controller.signal }), timeoutMs, () => {
      const error = new JobTimeoutError(timeoutMs);
      controller.abort(error);
      return error;
    });
  } finally {
    shutdown.removeEventListener('abort', onShutdown);
  }
}

/** Rejects with `onTimeout()`'s error if `promise` has not settled within `ms`. */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error = () => new Error(`not done within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Bull's exponential backoff, which the inline driver copies so both wait alike: after the n-th
 * failure the job waits (2^n − 1) × backoff — 1×, 3×, 7×, 15× …
 */
export function retryDelay(backoffMs: number, failuresSoFar: number): number {
  return Math.round((2 ** failuresSoFar - 1) * backoffMs);
}
