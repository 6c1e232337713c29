import type { ContextManager } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { instrumentationsFor } from './instrumentations';
import { OverflowCountingProcessor } from './overflow-counting.processor';
import { samplerFrom } from './sampler.factory';
import type { OtlpExportOptions, TracingOptions } from './telemetry.options';
import { setActiveTelemetry, TelemetryRuntime } from './telemetry-runtime';
import { TrackedSpanExporter } from './tracked-span.exporter';

export interface StartTelemetryOptions extends Omit<TracingOptions, 'otlp'> {
  /** Absent: spans go only to `extraSpanProcessors` (e.g. Sentry's). */
  otlp?: OtlpExportOptions;
  extraSpanProcessors?: SpanProcessor[];
  /** Replaces the sampler built from `sampler` (e.g. one a span consumer needs). */
  samplerOverride?: Sampler;
  /** Another library's AsyncLocalStorage manager that must own the context (Sentry's scopes). */
  contextManager?: ContextManager;
}

/**
 * Starts the OpenTelemetry SDK. Must run before the instrumented modules (http, express,
 * ioredis) are first required — `src/instrument.ts` is the first import of each entry point.
 *
 * Everything is explicit so that nothing is read from the environment behind the configuration's
 * back, and nothing reaches the network uninvited: no metrics or log exporters (NodeSDK would
 * add OTLP ones by default), and only the env/process/host resource detectors (cloud detectors
 * probe link-local metadata addresses).
 */
export function startTelemetry(options: StartTelemetryOptions): TelemetryRuntime {
  // The runtime's stop closure runs at shutdown, long after `sdk` below is assigned.
  const runtime = new TelemetryRuntime(options.otlp?.tracesUrl, async () => {
    await sdk.shutdown();
    setActiveTelemetry(undefined);
  });

  const spanProcessors: SpanProcessor[] = [];
  if (options.otlp) spanProcessors.push(otlpProcessor(options.otlp, runtime));
  spanProcessors.push(...(options.extraSpanProcessors ?? []));

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
    }),
    resourceDetectors: [envDetector, processDetector, hostDetector],
    serviceName: options.serviceName,
    spanProcessors,
    sampler: options.samplerOverride ?? samplerFrom(options.sampler),
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    contextManager: options.contextManager,
    instrumentations: instrumentationsFor(options),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  setActiveTelemetry(runtime);
  return runtime;
}

function otlpProcessor(otlp: OtlpExportOptions, runtime: TelemetryRuntime): SpanProcessor {
  const exporter = new OTLPTraceExporter({
    url: otlp.tracesUrl,
    headers: otlp.headers,
    timeoutMillis: otlp.exportTimeoutMs,
  });
  // The batch processor exports off the request path: ending a span only queues it.
  let counting: OverflowCountingProcessor | undefined = undefined;
  const batch = new BatchSpanProcessor(new TrackedSpanExporter(exporter, runtime, (n) => counting?.handedOff(n)), {
    scheduledDelayMillis: otlp.scheduleDelayMs,
    maxQueueSize: otlp.maxQueueSize,
    maxExportBatchSize: Math.min(512, otlp.maxQueueSize),
    exportTimeoutMillis: otlp.exportTimeoutMs,
  });
  counting = new OverflowCountingProcessor(batch, otlp.maxQueueSize, (n) => runtime.recordDropped(n));
  return counting;
}
