import type { TelemetryModuleOptions, TracingOptions } from '@keel/telemetry';
import { REQUEST_ID_HEADER } from '../common/http/request-id';
import type { AppConfig } from '../config/app-config';
import type { ProcessRole } from './queue.options-factory';

/** Probes and scrapes arrive every few seconds from machines; tracing them drowns real traffic. */
const UNTRACED_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** The span pipeline's settings, whichever backend (OTLP, Sentry, both) receives the spans. */
export function tracingSettingsFrom(config: AppConfig, role: ProcessRole): Omit<TracingOptions, 'otlp'> {
  return {
    serviceName: config.tracing.serviceName ?? `keel-${role}`,
    serviceVersion: config.version,
    sampler: config.tracing.sampler,
    requestIdHeader: REQUEST_ID_HEADER,
    ignoreIncomingPaths: UNTRACED_PATHS,
  };
}

export function telemetryOptionsFrom(config: AppConfig, role: ProcessRole): TelemetryModuleOptions {
  const otlp = config.tracing.otlp;
  return otlp ? { driver: 'otlp', ...tracingSettingsFrom(config, role), otlp } : { driver: 'off' };
}
