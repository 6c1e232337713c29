/* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading, see below */
// What entry points import before Nest loads: Sentry's initialisation, loaded only when a DSN is
// configured (the SDK is a few hundred modules), and nothing of ours that needs Nest.
import type { SentryOpenTelemetryParts } from './sentry.init';
import type { EnabledSentryOptions } from './sentry.options';

export type { SentryOpenTelemetryParts };

const load = () => require('./sentry.init') as typeof import('./sentry.init');

export function initSentry(options: EnabledSentryOptions): SentryOpenTelemetryParts {
  return load().initSentry(options);
}

export function registerSentryContextManager(parts: SentryOpenTelemetryParts): void {
  load().registerSentryContextManager(parts);
}
