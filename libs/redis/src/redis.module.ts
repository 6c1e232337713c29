import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisConfigurableModule } from './redis.module-definition';
import { RedisHealthIndicator } from './redis.health';
import { RedisService } from './redis.service';

/**
 * Redis as an optional extension: when it is not configured the module is simply not imported,
 * and features fall back to in-process drivers. Connecting never blocks the boot: an unreachable
 * Redis shows as down in readiness while ioredis keeps reconnecting.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [RedisService, RedisHealthIndicator],
  exports: [RedisService, RedisHealthIndicator],
})
export class RedisModule extends RedisConfigurableModule {}
