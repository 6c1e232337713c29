import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TelemetryService } from './telemetry.service';

/**
 * Informational: a collector outage loses traces, never requests, so it must not drain replicas.
 * Reads the last export's outcome instead of probing the collector.
 */
@Injectable()
export class OtelHealthIndicator {
  constructor(
    private readonly telemetry: TelemetryService,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    if (this.telemetry.options.driver === 'off') return indicator.up({ enabled: false });
    const runtime = this.telemetry.runtime;
    if (!runtime) {
      return indicator.down({ message: 'tracing is configured but the SDK was not started by the entry point' });
    }
    const last = runtime.lastExport;
    const detail = { endpoint: runtime.tracesUrl, droppedSpans: runtime.droppedSpans };
    if (last && !last.ok) {
      return indicator.down({ ...detail, message: `last export failed at ${last.at.toISOString()}: ${last.error}` });
    }
    return indicator.up({ ...detail, lastExportAt: last?.at.toISOString() ?? null });
  }
}
