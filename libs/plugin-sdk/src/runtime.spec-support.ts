/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- test support: the lines are untyped JSON, like the specs' bodies */
import { PassThrough } from 'node:stream';
import type { Plugin } from './plugin';
import type { PluginRuntime, RuntimeOptions } from './runtime';

/** A JSON object the plugin wrote (one output line). */
export type Line = Record<string, any>;

/**
 * Drive a plugin's runtime over in-memory streams, as the host would over stdio: write request
 * lines, read answer lines.
 */
export class Harness {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly lines: Line[] = [];
  readonly runtime: PluginRuntime;
  private readonly waiters: Array<{ test: (line: Line) => boolean; resolve: (line: Line) => void }> = [];
  private partial = '';
  private host: ((invocation: { type: string; request: any }) => unknown[]) | undefined;

  constructor(plugin: Plugin, options: RuntimeOptions = {}) {
    this.output.setEncoding('utf8');
    this.output.on('data', (text: string) => {
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as Line;
        this.lines.push(line);
        if (this.host && line.event === 'session' && line.data?.type === 'invoke') this.answer(line, this.host);
        for (const waiter of [...this.waiters]) {
          if (waiter.test(line)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
    this.runtime = plugin.start({
      input: this.input,
      output: this.output,
      captureConsole: false,
      exitWhenDone: false,
      heartbeatIntervalMs: 3_600_000,
      ...options,
    });
  }

  /**
   * Play the host for backwards calls: every `invoke` line gets the handler's values as `response`
   * messages, then `end` (or `error`, with the message, when the handler throws).
   */
  serveBackwards(handler: (invocation: { type: string; request: any }) => unknown[]): void {
    this.host = handler;
  }

  private answer(line: Line, handler: (invocation: { type: string; request: any }) => unknown[]): void {
    const id = line.data.data.backwards_request_id as string;
    const reply = (data: Record<string, unknown>) =>
      this.send({
        session_id: line.session_id,
        event: 'backwards_response',
        data: { backwards_request_id: id, ...data },
      });
    try {
      for (const value of handler(line.data.data)) reply({ event: 'response', data: value });
      reply({ event: 'end' });
    } catch (error) {
      reply({ event: 'error', message: (error as Error).message });
    }
  }

  send(message: unknown): void {
    this.input.write(`${JSON.stringify(message)}\n`);
  }

  sendRaw(text: string): void {
    this.input.write(text);
  }

  request(sessionId: string, data: unknown): void {
    this.send({ session_id: sessionId, event: 'request', data });
  }

  /** The first line (already written or still to come) that passes the test. */
  waitFor(test: (line: Line) => boolean, timeoutMs = 3_000): Promise<Line> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `no matching line within ${timeoutMs} ms; got:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        test,
        resolve: (line: Line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** The session's messages up to and including its terminal one (`end` or `error`). */
  async session(sessionId: string): Promise<Line[]> {
    await this.waitFor(
      (line) => line.event === 'session' && line.session_id === sessionId && ['end', 'error'].includes(line.data?.type),
    );
    return this.sessionLines(sessionId);
  }

  sessionLines(sessionId: string): Line[] {
    return this.lines.filter((line) => line.event === 'session' && line.session_id === sessionId);
  }

  /** The data of the session's stream messages, once it has ended. */
  async streamed(sessionId: string): Promise<unknown[]> {
    const lines = await this.session(sessionId);
    return lines.filter((line) => line.data.type === 'stream').map((line) => line.data.data);
  }

  async close(): Promise<void> {
    this.input.end();
    await this.runtime.closed;
  }
}
