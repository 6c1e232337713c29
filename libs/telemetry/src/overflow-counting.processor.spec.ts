import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OverflowCountingProcessor } from './overflow-counting.processor';

const span = (sampled: boolean) =>
  ({ spanContext: () => ({ traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }) }) as unknown as ReadableSpan;

class RecordingProcessor implements SpanProcessor {
  ended = 0;
  onStart(_span: Span, _context: Context): void {}
  onEnd(): void {
    this.ended++;
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

describe('OverflowCountingProcessor', () => {
  it('counts the sampled spans a full queue will drop, and frees room as batches are handed off', () => {
    const inner = new RecordingProcessor();
    let dropped = 0;
    const processor = new OverflowCountingProcessor(inner, 2, (n) => (dropped += n));

    processor.onEnd(span(true));
    processor.onEnd(span(true));
    processor.onEnd(span(false)); // unsampled spans never enter the queue
    processor.onEnd(span(true)); // the queue holds 2: this one is dropped
    expect(dropped).toBe(1);
    expect(inner.ended).toBe(4); // the batch processor still sees every span

    processor.handedOff(2);
    processor.onEnd(span(true));
    processor.onEnd(span(true));
    expect(dropped).toBe(1);
    processor.onEnd(span(true));
    expect(dropped).toBe(2);
  });
});
