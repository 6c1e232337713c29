import { BackwardsCallError } from './errors';
import type { LlmStream, ToolStream } from './define';
import { toToolMessage } from './messages';
import { isRecord, type LlmChunk, type ToolMessage } from './protocol';

/**
 * The answer to one backwards call, as it arrives: a queue the host's `response` messages fill
 * and the handler drains, ended by `end` or `error`. If no answer comes for `idleTimeoutMs`
 * (between two messages), it fails with `Timeout`.
 */
export class BackwardsCall implements AsyncIterable<unknown> {
  private readonly items: unknown[] = [];
  private wake: (() => void) | undefined;
  private settled = false;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private read = false;

  constructor(
    readonly id: string,
    readonly sessionId: string,
    private readonly idleTimeoutMs: number,
    private readonly onSettled: (call: BackwardsCall) => void,
  ) {
    this.arm();
  }

  get isSettled(): boolean {
    return this.settled;
  }

  push(data: unknown): void {
    if (this.settled) return;
    this.items.push(data);
    this.arm();
    this.notify();
  }

  finish(): void {
    this.settle();
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.failure = error;
    this.settle();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.onSettled(this);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(
        new BackwardsCallError(
          'Timeout',
          `the host did not answer backwards call ${this.id} for ${this.idleTimeoutMs} ms`,
        ),
      );
    }, this.idleTimeoutMs);
    this.timer.unref?.();
  }

  private async next(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.items.length > 0) return { value: this.items.shift(), done: false };
      if (this.failure) throw this.failure;
      if (this.settled) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    if (this.read) throw new Error(`the answer to backwards call ${this.id} can be read only once`);
    this.read = true;
    return { next: () => this.next(), return: async () => ({ value: undefined, done: true }) };
  }

  /** Every response, once the call has ended. */
  async all(): Promise<unknown[]> {
    const all: unknown[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

function invalidResponse(what: string): BackwardsCallError {
  return new BackwardsCallError(
    'InvalidResponse',
    `the host answered a backwards ${what} call with an unexpected message`,
  );
}

export function llmStream(call: BackwardsCall): LlmStream {
  async function* chunks(): AsyncGenerator<LlmChunk> {
    for await (const item of call) {
      if (!isRecord(item) || !isRecord(item.delta) || !isRecord(item.delta.message)) throw invalidResponse('llm');
      yield item as unknown as LlmChunk;
    }
  }
  const iterable = chunks();
  return {
    [Symbol.asyncIterator]: () => iterable,
    async text() {
      let text = '';
      for await (const chunk of iterable) {
        if (typeof chunk.delta.message.content === 'string') text += chunk.delta.message.content;
      }
      return text;
    },
  };
}

export function toolStream(call: BackwardsCall): ToolStream {
  async function* outputs(): AsyncGenerator<ToolMessage> {
    for await (const item of call) {
      let message: ToolMessage;
      try {
        message = toToolMessage(item);
      } catch {
        throw invalidResponse('tool');
      }
      yield message;
    }
  }
  const iterable = outputs();
  return {
    [Symbol.asyncIterator]: () => iterable,
    async collect() {
      const all: ToolMessage[] = [];
      for await (const message of iterable) all.push(message);
      return all;
    },
  };
}
