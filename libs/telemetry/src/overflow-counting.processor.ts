import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The batch processor drops spans silently (one diag line) once its queue is full. This wrapper
 * mirrors the queue's length — spans ended minus spans handed to the exporter — so those drops
 * are counted too. It relies only on the processor's documented behaviour: sampled spans are
 * queued on end, and taken out in export batches.
 */
export class OverflowCountingProcessor implements SpanProcessor {
  private queued = 0;

  constructor(
    private readonly inner: SpanProcessor,
    private readonly maxQueueSize: number,
    private readonly onDropped: (count: number) => void,
  ) {}

  /** Called by the exporter wrapper when the processor hands it a batch. */
  handedOff(count: number): void {
    this.queued = Math.max(0, this.queued - count);
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
      if (this.queued >= this.maxQueueSize) this.onDropped(1);
      else this.queued++;
    }
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
