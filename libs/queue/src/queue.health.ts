import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QUEUE_DRIVER } from './queue.module-definition';
import type { JobCounts } from './queue.types';
import type { QueueDriver } from './drivers/queue-driver';

/** Critical: the backend must be reachable. The detail lists job counts per known queue. */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    const driver = this.driver.name;
    try {
      await this.driver.ping();
      const queues: Record<string, Pick<JobCounts, 'waiting' | 'active' | 'delayed' | 'failed'>> = {};
      for (const name of this.driver.knownQueues()) {
        const { waiting, active, delayed, failed } = await this.driver.counts(name);
        queues[name] = { waiting, active, delayed, failed };
      }
      return indicator.up({ driver, queues });
    } catch (error) {
      return indicator.down({ driver, message: error instanceof Error ? error.message : String(error) });
    }
  }
}
