import { timingSafeEqual } from 'node:crypto';
import type { MetricsConfig } from '../../config/app-config';

/** True when METRICS_BASIC_AUTH is unset, or the Authorization header carries it. */
export function metricsAccessAllowed(config: MetricsConfig, authorization: string | undefined): boolean {
  if (!config.basicAuth) return true;
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${config.basicAuth.user}:${config.basicAuth.password}`).toString('base64')}`,
  );
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const METRICS_REALM = 'Basic realm="metrics"';
