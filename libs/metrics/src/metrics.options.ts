/** Prometheus metrics served in text format (the default). */
export interface PrometheusMetricsOptions {
  driver: 'prometheus';
  /** Prefix of every metric name, e.g. `keel_`. */
  prefix: string;
  /** Node process metrics (CPU, memory, event loop lag, GC). */
  collectDefaultMetrics: boolean;
}

/** Metrics are recorded into a private registry that nothing exposes (METRICS_ENABLED=false). */
export interface DisabledMetricsOptions {
  driver: 'disabled';
}

export type MetricsModuleOptions = PrometheusMetricsOptions | DisabledMetricsOptions;
