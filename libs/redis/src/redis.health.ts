import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from './redis.service';

/** Critical when Redis is configured: locks, stop flags and queues live there. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisService,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    const base = { mode: this.redis.mode, target: this.redis.describe() };
    // Not connected: say why now, rather than queue a PING that can only time out.
    if (this.redis.status !== 'ready') {
      return indicator.down({
        ...base,
        message: `not connected (${this.redis.status}${this.redis.lastError ? `: ${this.redis.lastError}` : ''})`,
      });
    }
    try {
      return indicator.up({ ...base, latencyMs: Math.round((await this.redis.ping()) * 10) / 10 });
    } catch (error) {
      return indicator.down({ ...base, message: error instanceof Error ? error.message : String(error) });
    }
  }
}
