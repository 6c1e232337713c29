import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readLines } from '@keel/plugin-sdk/line-reader';
import {
  type BackwardsInvocation,
  type BackwardsResponse,
  encodeMessage,
  type HostMessage,
  type PluginMessage,
  parsePluginMessage,
  type PluginRequest,
} from '@keel/plugin-sdk/protocol';
import { errorMessage } from '../../../common/errors/error-message';
import { PluginCrashedError, PluginSessionError } from './plugin-call.errors';
import type { LaunchSpec } from './plugin-launch-spec';

/** The subset of Nest's Logger the process writes to (plugin logs, garbage, stderr). */
export interface PluginLog {
  log(message: unknown, context?: string): void;
  warn(message: unknown, context?: string): void;
  debug?(message: unknown, context?: string): void;
  error(message: unknown, context?: string): void;
}

export interface InvokeOptions {
  signal?: AbortSignal;
  /** Answers the plugin's backwards calls made during this session. */
  onBackwards: (invocation: BackwardsInvocation) => AsyncIterable<unknown>;
  /** Called when the plugin ends the session, even after the caller gave up on it (a cancel answered). */
  onSettled?: () => void;
}

/** Lines longer than this (a runaway plugin) are dropped, not buffered. */
const MAX_LINE = 64 * 1024 * 1024;

interface Session {
  settled?: () => void;
  settledByPlugin?: boolean;
  push(item: unknown): void;
  end(error?: Error): void;
  onBackwards: InvokeOptions['onBackwards'];
  backwards: Set<AbortController>;
}

/**
 * One plugin process and the host's side of its protocol: sessions multiplexed over stdin and
 * stdout, each a stream of results ending in `end` or `error`; backwards calls answered while the
 * session runs; heartbeats and logs recorded. Lines that are not protocol messages are logged and
 * ignored; the process's death fails every open session.
 */
export class PluginChildProcess {
  readonly child: ChildProcess;
  /** Resolves at the first heartbeat (the SDK sends one when it is ready to serve). */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited, with why. */
  readonly exited: Promise<string>;
  lastHeartbeatAt: number | undefined;
  private readonly sessions = new Map<string, Session>();
  private exitReason: string | undefined;
  private markReady!: () => void;

  constructor(
    private readonly name: string,
    spec: LaunchSpec,
    private readonly log: PluginLog,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      const finish = (reason: string) => {
        if (this.exitReason) return;
        this.exitReason = reason;
        for (const session of this.sessions.values()) session.end(new PluginCrashedError(this.name, reason));
        this.sessions.clear();
        resolve(reason);
      };
      this.child.once('exit', (code, signal) => finish(signal ? `killed by ${signal}` : `exited with code ${code}`));
      this.child.once('error', (error) => finish(`could not run: ${error.message}`));
    });
    // A write to a process that just died must not become an unhandled error event.
    this.child.stdin?.on('error', () => undefined);
    readLines(this.child.stdout!, MAX_LINE, {
      line: (line) => this.onLine(line),
      oversize: (length) => this.log.warn({ plugin: this.name, length }, 'plugin wrote an oversized line; dropped'),
      end: () => undefined,
    });
    readLines(this.child.stderr!, 16 * 1024, {
      line: (line) => line && this.log.warn({ plugin: this.name, stderr: line.slice(0, 2_000) }, 'plugin stderr'),
      oversize: () => undefined,
      end: () => undefined,
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Resident memory from /proc (Linux); undefined elsewhere or once gone. */
  rssBytes(): number | undefined {
    if (!this.child.pid || !this.alive) return undefined;
    try {
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** Closes stdin (the SDK exits once its sessions are done), then kills what is still running. */
  async stop(graceMs = 1_000): Promise<void> {
    if (!this.alive) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Runs one session: the plugin's `stream` items as they come. */
  async *invoke(request: PluginRequest, options: InvokeOptions): AsyncIterable<unknown> {
    if (!this.alive) throw new PluginCrashedError(this.name, this.exitReason ?? 'not running');
    const cancelled = () =>
      options.signal?.reason instanceof Error ? options.signal.reason : new Error('The call was cancelled.');
    if (options.signal?.aborted) throw cancelled();
    const sessionId = randomUUID();
    const items: unknown[] = [];
    let finished: { error?: Error } | undefined;
    let wake: (() => void) | undefined;
    const session: Session = {
      push: (item) => {
        items.push(item);
        wake?.();
      },
      end: (error) => {
        if (finished) return;
        finished = { error };
        for (const controller of session.backwards) controller.abort();
        wake?.();
      },
      onBackwards: options.onBackwards,
      backwards: new Set(),
      settled: options.onSettled,
    };
    const cancel = () =>
      this.send({ session_id: sessionId, event: 'cancel', data: { reason: 'cancelled by the caller' } });
    // The caller stops waiting at once; the plugin is told, and its late answer only settles the session.
    const abort = () => {
      cancel();
      session.end(cancelled());
    };
    this.sessions.set(sessionId, session);
    options.signal?.addEventListener('abort', abort, { once: true });
    this.send({ session_id: sessionId, event: 'request', data: request });
    try {
      for (;;) {
        while (items.length > 0) yield items.shift();
        if (finished) {
          if (finished.error) throw finished.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener('abort', abort);
      // A consumer that stopped reading early: the plugin is told to stop. The session stays known
      // until the plugin ends it, so that its late end or error settles it (see onSettled).
      if (!finished && this.alive) cancel();
      session.end();
    }
  }

  private send(message: HostMessage): void {
    if (!this.alive || !this.child.stdin?.writable) return;
    this.child.stdin.write(encodeMessage(message));
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let message: PluginMessage;
    try {
      message = parsePluginMessage(line);
    } catch (error) {
      this.log.warn(
        { plugin: this.name, line: line.slice(0, 200), reason: errorMessage(error) },
        'plugin wrote a line that is not a protocol message; ignored',
      );
      return;
    }
    switch (message.event) {
      case 'heartbeat':
        this.lastHeartbeatAt = Date.now();
        this.markReady();
        return;
      case 'log': {
        const entry = { plugin: this.name, session: message.session_id, message: message.data.message.slice(0, 4_000) };
        if (message.data.level === 'error') this.log.error(entry, 'plugin log');
        else if (message.data.level === 'warn') this.log.warn(entry, 'plugin log');
        else if (message.data.level === 'debug') this.log.debug?.(entry, 'plugin log');
        else this.log.log(entry, 'plugin log');
        return;
      }
      case 'error':
        this.log.warn({ plugin: this.name, session: message.session_id, ...message.data }, 'plugin reported an error');
        return;
      case 'session': {
        const session = this.sessions.get(message.session_id);
        if (!session) return;
        const data = message.data;
        if (data.type === 'stream') session.push(data.data);
        else if (data.type === 'invoke') void this.answerBackwards(message.session_id, session, data.data);
        else {
          session.end(
            data.type === 'error'
              ? new PluginSessionError(data.data.error_type, data.data.message, data.data.parameter)
              : undefined,
          );
          session.settledByPlugin = true;
          this.sessions.delete(message.session_id);
          session.settled?.();
        }
        return;
      }
    }
  }

  /** Runs a backwards call and streams its answer back, ending with `end` or `error`. */
  private async answerBackwards(sessionId: string, session: Session, invocation: BackwardsInvocation): Promise<void> {
    const id = invocation.backwards_request_id;
    const respond = (data: BackwardsResponse) =>
      this.send({ session_id: sessionId, event: 'backwards_response', data });
    const controller = new AbortController();
    session.backwards.add(controller);
    try {
      for await (const item of session.onBackwards(invocation)) {
        if (controller.signal.aborted) return;
        respond({ backwards_request_id: id, event: 'response', data: item });
      }
      respond({ backwards_request_id: id, event: 'end' });
    } catch (error) {
      const errorType = (error as { errorType?: unknown }).errorType;
      respond({
        backwards_request_id: id,
        event: 'error',
        message: errorMessage(error),
        error_type: typeof errorType === 'string' ? errorType : 'InvokeError',
      });
    } finally {
      session.backwards.delete(controller);
    }
  }
}
