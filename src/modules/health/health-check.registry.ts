import { Injectable, Optional } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { CacheHealthIndicator } from '@keel/cache';
import { DatabaseHealthIndicator } from '@keel/database';
import { MailHealthIndicator } from '@keel/mail';
import { QueueHealthIndicator } from '@keel/queue';
import { RedisHealthIndicator } from '@keel/redis';
import { SentryHealthIndicator } from '@keel/sentry';
import { StorageHealthIndicator } from '@keel/storage';
import { OtelHealthIndicator } from '@keel/telemetry';

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
  private readonly sources: Array<() => Promise<RegisteredCheck[]>> = [];

  constructor(
    database: DatabaseHealthIndicator,
    cache: CacheHealthIndicator,
    queue: QueueHealthIndicator,
    storage: StorageHealthIndicator,
    mail: MailHealthIndicator,
    sentry: SentryHealthIndicator,
    otel: OtelHealthIndicator,
    @Optional() redis?: RedisHealthIndicator,
  ) {
    this.checks = [
      { key: 'database', critical: true, run: () => database.isHealthy('database') },
      // Present only when Redis is configured; then it is critical.
      ...(redis ? [{ key: 'redis', critical: true, run: () => redis.isHealthy('redis') }] : []),
      { key: 'cache', critical: true, run: () => cache.isHealthy('cache') },
      { key: 'queue', critical: true, run: () => queue.isHealthy('queue') },
      { key: 'storage', critical: true, run: () => storage.isHealthy('storage') },
      // Informational: shown down, but mail trouble never drains a replica.
      { key: 'mail', critical: false, run: () => mail.isHealthy('mail') },
      { key: 'sentry', critical: false, run: () => Promise.resolve(sentry.isHealthy('sentry')) },
      { key: 'otel', critical: false, run: () => Promise.resolve(otel.isHealthy('otel')) },
    ];
  }

  /**
   * Adds checks that come and go at run time (one per installed plugin): the source is asked for
   * its current list at every probe.
   */
  addSource(source: () => Promise<RegisteredCheck[]>): void {
    this.sources.push(source);
  }

  async all(): Promise<readonly RegisteredCheck[]> {
    if (this.sources.length === 0) return this.checks;
    const dynamic = await Promise.all(this.sources.map((source) => source().catch(() => [])));
    return [...this.checks, ...dynamic.flat()];
  }

  async find(key: string): Promise<RegisteredCheck | undefined> {
    return (await this.all()).find((c) => c.key === key);
  }
}
