import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CacheService } from './cache.service';

/** Critical: a write, a read and a delete of a probe entry must all work. */
@Injectable()
export class CacheHealthIndicator {
  constructor(
    private readonly cache: CacheService,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    const backend = this.cache.backendStatus();
    if (backend !== 'ready')
      return indicator.down({ driver: this.cache.driver, message: `Redis not connected (${backend})` });
    const probeKey = `health:probe:${randomUUID()}`;
    const started = performance.now();
    try {
      await this.cache.set(probeKey, 1, 10_000);
      const read = await this.cache.get<number>(probeKey);
      await this.cache.delete(probeKey);
      if (read !== 1)
        return indicator.down({ driver: this.cache.driver, message: 'probe entry written but not read back' });
      return indicator.up({ driver: this.cache.driver, latencyMs: Math.round(performance.now() - started) });
    } catch (error) {
      return indicator.down({
        driver: this.cache.driver,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
