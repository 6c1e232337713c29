import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { infrastructureModules, type RootModuleOptions } from './app.module';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { ALL_ROUTES_PATH } from './common/http/all-routes';
import { RequestLoggingMiddleware } from './common/logging/request-logging.middleware';
import { HttpMetricsMiddleware } from './modules/metrics/http-metrics.middleware';
import type { AppConfig } from './config/app-config';
import { HealthModule } from './modules/health/health.module';
import { MetricsHttpModule } from './modules/metrics/metrics-http.module';
import { PluginInstallerModule } from './modules/plugins/plugin-installer.module';

/**
 * The worker's composition root: the same extensions as the API, processors always on, and no
 * API routes — only /health/* (and /metrics) on WORKER_HEALTH_PORT for the orchestrator. Feature
 * modules that own processors are added here as they arrive.
 */
@Module({})
export class WorkerModule implements NestModule {
  static forRoot(config: AppConfig, options: RootModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ...infrastructureModules(config, 'worker', options),
        HealthModule,
        MetricsHttpModule,
        PluginInstallerModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestLoggingMiddleware, HttpMetricsMiddleware)
      .forRoutes({ path: ALL_ROUTES_PATH, method: RequestMethod.ALL });
  }
}
