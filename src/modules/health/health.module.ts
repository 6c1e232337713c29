import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthCheckRegistry } from './health-check.registry';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [HealthCheckRegistry, HealthService],
  exports: [HealthCheckRegistry],
})
export class HealthModule {}
