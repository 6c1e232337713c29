import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TELEMETRY_MODULE_OPTIONS } from './telemetry.module-definition';
import type { TelemetryModuleOptions } from './telemetry.options';
import { activeTelemetry, type TelemetryRuntime } from './telemetry-runtime';

/**
 * The Nest face of the SDK that `instrument.ts` started: its state for health and metrics, and
 * the final flush at shutdown (after the HTTP server has stopped taking requests).
 */
@Injectable()
export class TelemetryService implements OnApplicationShutdown {
  constructor(@Inject(TELEMETRY_MODULE_OPTIONS) readonly options: TelemetryModuleOptions) {}

  /** Undefined when tracing is off, or when the entry point did not load `instrument.ts`. */
  get runtime(): TelemetryRuntime | undefined {
    return activeTelemetry();
  }

  onDroppedSpans(listener: (count: number) => void): () => void {
    return this.runtime?.onDropped(listener) ?? (() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime?.shutdown();
  }
}
