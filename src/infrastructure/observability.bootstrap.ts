import { initSentry, registerSentryContextManager } from '@keel/sentry/bootstrap';
import { startTelemetry } from '@keel/telemetry/bootstrap';
import type { AppConfig } from '../config/app-config';
import { telemetryOptionsFrom, tracingSettingsFrom } from './observability.options-factory';
import type { ProcessRole } from './queue.options-factory';

/**
 * Sentry first, then the OpenTelemetry SDK, which we own: Sentry only contributes its context
 * manager (its per-request scopes live in the OpenTelemetry context) and, when its performance
 * tracing is on, a span processor. Runs before Nest and before any instrumented module loads.
 */
export function startObservability(config: AppConfig, role: ProcessRole): void {
  const sentry = config.sentry.driver === 'sentry' ? initSentry(config.sentry) : undefined;
  const telemetry = telemetryOptionsFrom(config, role);

  if (telemetry.driver === 'otlp') {
    startTelemetry({
      ...telemetry,
      extraSpanProcessors: sentry?.spanProcessor ? [sentry.spanProcessor] : [],
      contextManager: sentry?.contextManager,
    });
  } else if (sentry?.spanProcessor && config.sentry.driver === 'sentry') {
    // Sentry performance tracing without an OTLP collector: the same pipeline, Sentry's rate.
    startTelemetry({
      ...tracingSettingsFrom(config, role),
      sampler: { kind: 'parentbased_traceidratio', ratio: config.sentry.tracesSampleRate },
      extraSpanProcessors: [sentry.spanProcessor],
      contextManager: sentry.contextManager,
    });
  } else if (sentry) {
    registerSentryContextManager(sentry);
  }
}
