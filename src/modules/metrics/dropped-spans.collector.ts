import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@keel/metrics';
import { TelemetryService } from '@keel/telemetry';

/** Feeds `keel_otel_dropped_spans_total` from the tracing SDK's export outcomes. */
@Injectable()
export class DroppedSpansCollector implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly metrics: MetricsService,
    private readonly telemetry: TelemetryService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.telemetry.onDroppedSpans((count) => this.metrics.droppedSpans.inc(count));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
