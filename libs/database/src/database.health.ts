import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DATABASE_DRIVER } from './database.constants';
import type { DatabaseDriver } from './drivers/database-driver';

/**
 * Critical: without its database a replica can serve nothing. The caller bounds the check with a
 * timeout (the health module does it for every indicator).
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly healthIndicatorService: HealthIndicatorService,
    @Inject(DATABASE_DRIVER) private readonly driver: DatabaseDriver,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    const started = performance.now();
    try {
      await this.dataSource.query('SELECT 1');
      return indicator.up({ driver: this.driver.name, latencyMs: Math.round(performance.now() - started) });
    } catch (error) {
      return indicator.down({
        driver: this.driver.name,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
