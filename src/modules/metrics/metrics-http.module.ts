import { Module } from '@nestjs/common';
import { DroppedSpansCollector } from './dropped-spans.collector';
import { MetricsPortServer } from './metrics-port.server';
import { MetricsController } from './metrics.controller';
import { QueueMetricsCollector } from './queue-metrics.collector';

/**
 * `/metrics` (or its own port) and the scrape-time gauges. Request instrumentation is the
 * `HttpMetricsMiddleware`, which each composition root applies first so that every request —
 * malformed bodies included — is counted.
 */
@Module({
  controllers: [MetricsController],
  providers: [MetricsPortServer, QueueMetricsCollector, DroppedSpansCollector],
})
export class MetricsHttpModule {}
