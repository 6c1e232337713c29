import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetryRuntime } from './telemetry-runtime';

/**
 * Wraps the OTLP exporter so that every batch the collector did not take (down, refusing,
 * timing out) is counted as dropped — the exporter itself only logs it.
 */
export class TrackedSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly runtime: TelemetryRuntime,
    private readonly onHandedOff: (count: number) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.onHandedOff(spans.length);
    this.inner.export(spans, (result) => {
      const ok = result.code === ExportResultCode.SUCCESS;
      this.runtime.recordExport({
        ok,
        at: new Date(),
        spans: spans.length,
        error: ok ? undefined : (result.error?.message ?? 'export failed'),
      });
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
