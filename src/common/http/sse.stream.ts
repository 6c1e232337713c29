import { Cancellation, type CancelSignal } from '../lifecycle/cancel-signal';
import type { Response } from 'express';

export interface SseStreamOptions {
  /** Sent after this long without an event, so proxies and clients do not time the stream out. */
  keepAliveMs: number;
  /** The keep-alive frame: Dify's `event: ping\n\n`, or an SSE comment for OpenAI clients. */
  keepAliveFrame: string;
  /** Called once when the stream opens and once when it closes (the active-streams gauge). */
  onOpen?: () => void;
  onClose?: () => void;
}

export const DIFY_PING_FRAME = 'event: ping\n\n';

/** A batch this large is written at once instead of at the end of the tick (a chat frame is ~200 B). */
const FLUSH_AT_CHARS = 16 * 1024;

/**
 * Server-sent events written by hand on the Express response: `data: <json>\n\n` frames only (no
 * `id:` or `retry:` lines, which Nest's `@Sse()` adds and which is GET-only anyway), with
 * backpressure, a keep-alive while idle, and an abort signal for client disconnects.
 *
 * Frames written in the same tick leave in one socket write: an upstream usually delivers several
 * chunks per read, and each write is a system call that cost more than formatting the frames in
 * the chat benchmark. Nothing waits: the batch is flushed as soon as the current tick's work ends.
 * The last batch leaves with the response's end (`res.end(frames)`: the frames and the chunked
 * terminator in one write, where flushing first and ending after took two).
 */
export class SseStream {
  private readonly cancellation = new Cancellation();
  private timer?: NodeJS.Timeout;
  private started = false;
  private finished = false;
  /** Frames written in this tick, not yet handed to the response. */
  private pending = '';
  private readonly flush = () => {
    const frames = this.pending;
    if (!frames) return;
    this.pending = '';
    if (!this.res.destroyed) this.res.write(frames);
  };

  constructor(
    private readonly res: Response,
    private readonly options: SseStreamOptions,
  ) {
    res.on('close', () => {
      if (!this.finished) this.cancellation.abort(new Error('client disconnected'));
      this.finish();
    });
  }

  /** Aborted when the client goes away before `end()`. */
  get signal(): CancelSignal {
    return this.cancellation;
  }

  get open(): boolean {
    return !this.finished && !this.res.destroyed;
  }

  /**
   * Sets the status line and headers; they leave with the first frame (or the first keep-alive),
   * in the same socket write.
   */
  start(headers: Record<string, string> = {}): void {
    // The client may be gone already; then there is nothing to open (or to count as open).
    if (this.finished) return;
    this.res.status(200);
    this.res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the whole answer.
      'X-Accel-Buffering': 'no',
      ...headers,
    });
    this.started = true;
    this.options.onOpen?.();
    this.armKeepAlive();
  }

  /**
   * Writes one `data:` frame. Returns a promise only when the client is behind (backpressure):
   * it resolves once the socket takes more. Callers wait on it only when there is one, since a
   * promise per frame was a good share of a stream's promises (each one costs more while
   * asynchronous context tracking is on).
   */
  send(payload: unknown): Promise<void> | undefined {
    return this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** As `send`, for a frame already formatted. */
  write(frame: string): Promise<void> | undefined {
    if (!this.open) return undefined;
    this.armKeepAlive();
    if (!this.pending) process.nextTick(this.flush);
    this.pending += frame;
    // A writer that never waits (each write resolves at once) would otherwise pile its frames
    // up until the tick ends: a large batch leaves now, so that backpressure can show.
    if (this.pending.length >= FLUSH_AT_CHARS) this.flush();
    if (!this.res.writableNeedDrain) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (this.finished) return;
    this.finish();
    const frames = this.pending;
    this.pending = '';
    if (!this.res.destroyed) this.res.end(frames || undefined);
  }

  private armKeepAlive(): void {
    if (this.finished) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => void this.write(this.options.keepAliveFrame), this.options.keepAliveMs);
    this.timer.unref();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    // A stream that never started (the run was refused first) was never counted as open.
    if (this.started) this.options.onClose?.();
  }
}
