import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SENTRY_MODULE_OPTIONS } from './sentry.module-definition';
import type { SentryModuleOptions } from './sentry.options';
import { activeSentry } from './sentry-runtime';

/**
 * Informational: Sentry being unreachable loses error reports, not requests. Reports the last
 * delivery's outcome rather than sending test events.
 */
@Injectable()
export class SentryHealthIndicator {
  constructor(
    @Inject(SENTRY_MODULE_OPTIONS) private readonly options: SentryModuleOptions,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    if (this.options.driver === 'off') return indicator.up({ enabled: false });
    const runtime = activeSentry();
    if (!runtime) {
      return indicator.down({ message: 'SENTRY_DSN is set but Sentry was not initialised by the entry point' });
    }
    const last = runtime.lastSend;
    if (last && !last.ok) {
      return indicator.down({
        host: runtime.host,
        message: `last delivery failed at ${last.at.toISOString()}: ${last.error}`,
      });
    }
    return indicator.up({ host: runtime.host, lastDeliveryAt: last?.at.toISOString() ?? null });
  }
}
