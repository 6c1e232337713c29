import type { MetricsModuleOptions } from '@keel/metrics';
import type { AppConfig } from '../config/app-config';

export function metricsOptionsFrom(config: AppConfig): MetricsModuleOptions {
  return config.metrics.enabled
    ? { driver: 'prometheus', prefix: 'keel_', collectDefaultMetrics: true }
    : { driver: 'disabled' };
}
