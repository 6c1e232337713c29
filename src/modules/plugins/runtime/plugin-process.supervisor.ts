import { mkdir } from 'node:fs/promises';
import type { PluginRequest } from '@keel/plugin-sdk/protocol';
import { errorMessage } from '../../../common/errors/error-message';
import {
  PluginBusyError,
  PluginCallError,
  PluginCrashedError,
  PluginStartError,
  PluginTimeoutError,
  PluginUnavailableError,
} from './plugin-call.errors';
import { type InvokeOptions, PluginChildProcess, type PluginLog } from './plugin-child-process';
import type { LaunchSpec } from './plugin-launch-spec';

export type SupervisorState = 'idle' | 'starting' | 'running' | 'restarting' | 'error' | 'stopped';

export interface SupervisorStatus {
  state: SupervisorState;
  /** Why it is restarting, in error, or why it last restarted. */
  reason?: string;
  pid?: number;
  restarts: number;
  lastHeartbeatAt?: number;
  rssBytes?: number;
  activeCalls: number;
  queued: number;
}

/** What the metrics and logs hear about. `reason` is one of crash, heartbeat, memory, timeout, start. */
export interface SupervisorListener {
  onRestart?(reason: 'crash' | 'heartbeat' | 'memory' | 'timeout' | 'start'): void;
  onCall?(outcome: 'ok' | 'error' | 'timeout' | 'busy' | 'crashed' | 'unavailable', seconds: number): void;
  onState?(state: SupervisorState, reason?: string): void;
}

export interface SupervisorOptions {
  /** `author/name`, for messages and logs. */
  name: string;
  spec: LaunchSpec;
  heartbeatIntervalMs: number;
  /** Missed heartbeats before a silent process is restarted (default 2). */
  maxMissedHeartbeats?: number;
  /** Resident memory cap (`resource.memory`); Buffers count, unlike V8's heap limit. */
  memoryLimitBytes: number;
  /** How often the RSS is read (default 1 s). */
  memorySampleMs?: number;
  callTimeoutMs: number;
  /** How long a timed-out call's process has to answer the cancel before it counts as stuck (default 2 s). */
  cancelGraceMs?: number;
  maxConcurrent: number;
  maxQueued: number;
  /** Stop the process after this long without calls; 0 = never. */
  idleStopMs: number;
  /** No first heartbeat within this long: the start failed (default 10 s). */
  startTimeoutMs?: number;
  /** Restart delay: base × 2^(failures in a row − 1), capped (defaults 250 ms, 30 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** More failures than this within the window: given up on, state `error` (defaults 5 in 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  logger: PluginLog;
  listener?: SupervisorListener;
}

/**
 * Supervises the process of one installed plugin version: starts it on first use, restarts it
 * (with exponential backoff) when it crashes, stops sending heartbeats or goes over its memory,
 * gives up after repeated failures; bounds each call in time and the calls in flight, queueing a
 * few and refusing the rest; stops it when idle. A misbehaving plugin costs its callers an error,
 * never the server.
 */
export class PluginSupervisor {
  private process: PluginChildProcess | undefined;
  private starting: Promise<PluginChildProcess> | undefined;
  private state: SupervisorState = 'idle';
  private reason: string | undefined;
  private restarts = 0;
  private inARow = 0;
  private failures: number[] = [];
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private watchdog: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastRss: number | undefined;
  private lastMemorySample = 0;

  constructor(private readonly options: SupervisorOptions) {}

  describe(): SupervisorStatus {
    return {
      state: this.state,
      ...(this.reason && { reason: this.reason }),
      ...(this.process?.alive && { pid: this.process.pid, lastHeartbeatAt: this.process.lastHeartbeatAt }),
      ...(this.process?.alive && this.lastRss !== undefined && { rssBytes: this.lastRss }),
      restarts: this.restarts,
      activeCalls: this.active,
      queued: this.waiting.length,
    };
  }

  /** Starts the process now (boot mode); resolves when it is ready. */
  async start(): Promise<void> {
    await this.ready();
  }

  /**
   * Lets the calls in flight (and queued) finish, then stops: what an upgrade does to the version
   * it replaces, so that no call is lost. Waits at most `maxWaitMs`, then stops anyway.
   */
  async drainAndStop(maxWaitMs: number): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    while ((this.active > 0 || this.waiting.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.stop();
  }

  /** Stops the process for good (uninstall, shutdown). */
  async stop(): Promise<void> {
    this.setState('stopped');
    this.clearTimers();
    const process = this.process;
    this.process = undefined;
    await process?.stop();
  }

  /** Clears an `error` state so that the next call tries again. */
  reset(): void {
    if (this.state !== 'error') return;
    this.failures = [];
    this.inARow = 0;
    this.setState('idle');
  }

  /** One call: the session's stream items, within the time limit and the concurrency bound. */
  async *call(request: PluginRequest, options: InvokeOptions): AsyncIterable<unknown> {
    const started = performance.now();
    let outcome: Parameters<NonNullable<SupervisorListener['onCall']>>[0] = 'ok';
    if (this.state === 'error') {
      this.options.listener?.onCall?.('unavailable', 0);
      throw new PluginUnavailableError(this.options.name, this.reason ?? 'it failed repeatedly');
    }
    try {
      await this.acquire();
    } catch (error) {
      this.options.listener?.onCall?.('busy', 0);
      throw error;
    }
    clearTimeout(this.idleTimer);
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new PluginTimeoutError(this.options.name, this.options.callTimeoutMs)),
      this.options.callTimeoutMs,
    );
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    let answeredCancel = false;
    try {
      const process = await this.ready();
      try {
        yield* process.invoke(request, { ...options, signal, onSettled: () => (answeredCancel = true) });
      } finally {
        if (timeout.signal.aborted) this.whenStuck(process, () => answeredCancel);
      }
    } catch (error) {
      outcome =
        error instanceof PluginTimeoutError
          ? 'timeout'
          : error instanceof PluginCrashedError
            ? 'crashed'
            : error instanceof PluginUnavailableError
              ? 'unavailable'
              : 'error';
      throw error;
    } finally {
      clearTimeout(timer);
      this.release();
      this.options.listener?.onCall?.(outcome, (performance.now() - started) / 1000);
    }
  }

  /** A slot, at once or after waiting in the bounded queue; a full queue is `PluginBusyError`. */
  private async acquire(): Promise<void> {
    if (this.active < this.options.maxConcurrent) {
      this.active++;
      return;
    }
    if (this.waiting.length >= this.options.maxQueued) {
      throw new PluginBusyError(this.options.name, this.active, this.waiting.length);
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes to the next waiter as it is: `active` stays the same.
    if (next) next();
    else this.active--;
    if (this.active === 0 && this.options.idleStopMs > 0 && this.state === 'running') {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => void this.stopIdle(), this.options.idleStopMs);
      this.idleTimer.unref();
    }
  }

  /** The running process, starting (or waiting for a restart of) it as needed. */
  private async ready(): Promise<PluginChildProcess> {
    if (this.state === 'error')
      throw new PluginUnavailableError(this.options.name, this.reason ?? 'it failed repeatedly');
    if (this.process?.alive && this.state === 'running') return this.process;
    return this.starting ?? this.track(this.launch());
  }

  /** The start in progress, which later calls wait for; cleared when it settles unless replaced. */
  private track(start: Promise<PluginChildProcess>): Promise<PluginChildProcess> {
    const tracked: Promise<PluginChildProcess> = start.finally(() => {
      if (this.starting === tracked) this.starting = undefined;
    });
    this.starting = tracked;
    return tracked;
  }

  private async launch(): Promise<PluginChildProcess> {
    clearTimeout(this.restartTimer);
    this.setState('starting');
    await mkdir(this.options.spec.scratchDir, { recursive: true });
    const process = new PluginChildProcess(this.options.name, this.options.spec, this.options.logger);
    this.process = process;
    const startTimeoutMs = this.options.startTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      process.ready.then(() => undefined),
      process.exited.then((reason) => reason),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no heartbeat within ${startTimeoutMs} ms`), startTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== undefined) {
      process.kill();
      this.fail('start', outcome, process);
      throw new PluginStartError(this.options.name, outcome);
    }
    this.inARow = 0;
    this.setState('running');
    this.options.logger.log({ plugin: this.options.name, pid: process.pid }, 'plugin process started');
    void process.exited.then((reason) => {
      if (this.process === process && this.state === 'running') this.fail('crash', reason, process);
    });
    this.watch(process);
    return process;
  }

  /** Heartbeats and memory, checked on a timer while the process runs. */
  private watch(process: PluginChildProcess): void {
    clearInterval(this.watchdog);
    const sampleMs = this.options.memorySampleMs ?? 1_000;
    const tick = Math.max(20, Math.min(sampleMs, this.options.heartbeatIntervalMs / 2));
    const silentAfter = (this.options.maxMissedHeartbeats ?? 2) * this.options.heartbeatIntervalMs;
    this.watchdog = setInterval(() => {
      if (this.process !== process || !process.alive) return clearInterval(this.watchdog);
      const now = Date.now();
      if (now - (process.lastHeartbeatAt ?? now) > silentAfter) {
        return this.fail('heartbeat', `no heartbeat for ${now - process.lastHeartbeatAt!} ms`, process);
      }
      if (now - this.lastMemorySample >= sampleMs) {
        this.lastMemorySample = now;
        this.lastRss = process.rssBytes();
        if (this.lastRss !== undefined && this.lastRss > this.options.memoryLimitBytes) {
          this.fail(
            'memory',
            `resident memory ${this.lastRss} bytes is over its limit of ${this.options.memoryLimitBytes} bytes (resource.memory)`,
            process,
          );
        }
      }
    }, tick);
    this.watchdog.unref();
  }

  /** After a timeout: a process that does not answer the cancel in time is stuck, and restarted. */
  private whenStuck(process: PluginChildProcess, answered: () => boolean): void {
    const timer = setTimeout(() => {
      if (!answered() && this.process === process && process.alive) {
        this.fail('timeout', 'a call timed out and the process did not answer its cancel', process);
      }
    }, this.options.cancelGraceMs ?? 2_000);
    timer.unref();
  }

  /** Kills the process and restarts it after a backoff, or gives up after too many failures. */
  private fail(
    kind: NonNullable<Parameters<NonNullable<SupervisorListener['onRestart']>>[0]>,
    reason: string,
    process: PluginChildProcess,
  ): void {
    if (this.process !== process || this.state === 'stopped') return;
    clearInterval(this.watchdog);
    process.kill();
    this.process = undefined;
    this.lastRss = undefined;
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    this.failures = [...this.failures.filter((at) => now - at < window), now];
    this.options.logger.warn({ plugin: this.options.name, reason, kind }, 'plugin process failed');
    if (this.failures.length > (this.options.maxRestarts ?? 5)) {
      this.setState('error', `${reason} (${this.failures.length} failures within ${window / 1000} s)`);
      return;
    }
    this.restarts++;
    this.inARow++;
    this.options.listener?.onRestart?.(kind);
    this.setState('restarting', reason);
    const delay = Math.min(
      (this.options.backoffBaseMs ?? 250) * 2 ** (this.inARow - 1),
      this.options.backoffMaxMs ?? 30_000,
    );
    // Calls arriving meanwhile wait for this restart rather than starting another.
    const restart = this.track(
      new Promise<void>((resolve) => {
        this.restartTimer = setTimeout(resolve, delay);
        this.restartTimer.unref();
      }).then(() => {
        if (this.state !== 'restarting') throw new PluginUnavailableError(this.options.name, this.reason ?? this.state);
        return this.launch();
      }),
    );
    restart.catch((error: unknown) => {
      if (!(error instanceof PluginCallError))
        this.options.logger.error({ plugin: this.options.name, reason: errorMessage(error) }, 'plugin restart failed');
    });
  }

  private async stopIdle(): Promise<void> {
    if (this.active > 0 || this.state !== 'running' || !this.process) return;
    clearInterval(this.watchdog);
    const process = this.process;
    this.process = undefined;
    this.setState('stopped', 'idle');
    await process.stop();
    this.options.logger.log({ plugin: this.options.name }, 'plugin process stopped after idle time');
  }

  private setState(state: SupervisorState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.options.listener?.onState?.(state, reason);
  }

  private clearTimers(): void {
    clearInterval(this.watchdog);
    clearTimeout(this.idleTimer);
    clearTimeout(this.restartTimer);
  }
}
