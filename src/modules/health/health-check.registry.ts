import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '@keel/database';
import { AppConfig } from '../../config/app-config';

/**
 * Critical indicators take the replica out of the load balancer when down; informational ones
 * are reported but never fail readiness (one broken plugin must not drain every replica).
 */
export interface RegisteredCheck {
  key: string;
  critical: boolean;
  run: () => Promise<HealthIndicatorResult>;
}

/** Every extension's indicator, listed explicitly; later extensions add theirs here. */
@Injectable()
export class HealthCheckRegistry {
  private readonly checks: RegisteredCheck[];

  constructor(
    readonly config: AppConfig,
    database: DatabaseHealthIndicator,
  ) {
    this.checks = [{ key: 'database', critical: true, run: () => database.isHealthy('database') }];
  }

  all(): readonly RegisteredCheck[] {
    return this.checks;
  }

  find(key: string): RegisteredCheck | undefined {
    return this.checks.find((c) => c.key === key);
  }
}
