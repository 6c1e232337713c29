export { MetricsModule } from './metrics.module';
export { METRICS_MODULE_OPTIONS } from './metrics.module-definition';
export type { DisabledMetricsOptions, MetricsModuleOptions, PrometheusMetricsOptions } from './metrics.options';
export { MetricsService } from './metrics.service';
