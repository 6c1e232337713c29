import { context } from '@opentelemetry/api';
import * as Sentry from '@sentry/nestjs';
import type { Transport } from '@sentry/core';
import { SentrySpanProcessor } from '@sentry/opentelemetry';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ContextManager } from '@opentelemetry/api';
import { scrubBreadcrumb, scrubEvent } from './sentry-event.scrubber';
import type { EnabledSentryOptions } from './sentry.options';
import { SentryRuntime, setActiveSentry } from './sentry-runtime';

/** What the OpenTelemetry setup must include so that Sentry keeps working inside it. */
export interface SentryOpenTelemetryParts {
  /** Sentry keeps its per-request scopes in the OpenTelemetry context; its manager forks them. */
  contextManager: ContextManager;
  /** Present when performance tracing is on: sends finished spans to Sentry as transactions. */
  spanProcessor?: SpanProcessor;
}

/**
 * Initialises Sentry before anything else loads. Sentry must not own OpenTelemetry
 * (`skipOpenTelemetrySetup`), nor add its own copies of the instrumentations we register
 * (`getDefaultIntegrationsWithoutPerformance`); the parts it needs are returned for our setup.
 */
export function initSentry(options: EnabledSentryOptions): SentryOpenTelemetryParts {
  const runtime = new SentryRuntime(new URL(options.dsn).host);
  const tracing = options.tracesSampleRate > 0;
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    // Leaving the key out (not 0) is what keeps Sentry's tracing machinery off.
    ...(tracing ? { tracesSampleRate: options.tracesSampleRate } : {}),
    skipOpenTelemetrySetup: true,
    defaultIntegrations: Sentry.getDefaultIntegrationsWithoutPerformance(),
    sendDefaultPii: false,
    // Stack-frame locals would carry passwords and keys past every scrubber.
    includeLocalVariables: false,
    beforeSend: scrubEvent,
    beforeSendTransaction: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
    transport: (transportOptions) => tracked(Sentry.makeNodeTransport(transportOptions), runtime),
  });
  setActiveSentry(runtime);
  return {
    contextManager: new Sentry.SentryContextManager(),
    spanProcessor: tracing ? new SentrySpanProcessor() : undefined,
  };
}

/** When no OpenTelemetry SDK runs, Sentry's context manager still has to be the global one. */
export function registerSentryContextManager(parts: SentryOpenTelemetryParts): void {
  context.setGlobalContextManager(parts.contextManager.enable());
}

function tracked(transport: Transport, runtime: SentryRuntime): Transport {
  return {
    ...transport,
    send: async (envelope) => {
      try {
        const response = await transport.send(envelope);
        const status = response.statusCode;
        const ok = status === undefined || (status >= 200 && status < 300);
        runtime.recordSend({ ok, at: new Date(), error: ok ? undefined : `HTTP ${status}` });
        return response;
      } catch (error) {
        runtime.recordSend({
          ok: false,
          at: new Date(),
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
    },
  };
}
