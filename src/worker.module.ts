import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { infrastructureModules, type RootModuleOptions } from './app.module';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import type { AppConfig } from './config/app-config';
import { HealthModule } from './modules/health/health.module';

/**
 * The worker's composition root: the same extensions as the API, processors always on, and no
 * API routes — only /health/* on WORKER_HEALTH_PORT for the orchestrator's probes. Feature
 * modules that own processors are added here as they arrive.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: RootModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [...infrastructureModules(config, 'worker', options), HealthModule],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }
}
