export type TraceSamplerKind =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface OtlpExportOptions {
  /** The full traces URL (`…/v1/traces`). */
  tracesUrl: string;
  headers: Record<string, string>;
  /** How often the batch processor exports; at most 5 s. */
  scheduleDelayMs: number;
  maxQueueSize: number;
  exportTimeoutMs: number;
}

export interface TracingOptions {
  serviceName: string;
  serviceVersion: string;
  sampler: { kind: TraceSamplerKind; ratio: number };
  /** Response header carrying the request id, copied onto the server span. */
  requestIdHeader: string;
  /** Incoming paths never traced (probes and scrapes that would drown real traffic). */
  ignoreIncomingPaths: string[];
  otlp: OtlpExportOptions;
}

/** `off`: no SDK, spans are the API's no-ops. `otlp`: traces exported over OTLP/HTTP. */
export type TelemetryModuleOptions = { driver: 'off' } | ({ driver: 'otlp' } & TracingOptions);
