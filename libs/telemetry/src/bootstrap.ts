/* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading, see below */
// What entry points import before Nest loads: nothing here may pull in Nest or Express, and the
// SDK itself (~100 modules) loads only when tracing is configured.
import type { StartTelemetryOptions } from './telemetry.sdk';
import type { TelemetryRuntime } from './telemetry-runtime';

export type { StartTelemetryOptions };

export function startTelemetry(options: StartTelemetryOptions): TelemetryRuntime {
  const sdk = require('./telemetry.sdk') as typeof import('./telemetry.sdk');
  return sdk.startTelemetry(options);
}
