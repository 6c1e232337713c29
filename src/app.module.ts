import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CacheModule } from '@keel/cache';
import { DatabaseModule } from '@keel/database';
import { MailModule } from '@keel/mail';
import { MetricsModule } from '@keel/metrics';
import { QueueModule } from '@keel/queue';
import { RedisModule, RedisService } from '@keel/redis';
import { SentryModule } from '@keel/sentry';
import { StorageDownloadController, StorageModule } from '@keel/storage';
import { TelemetryModule } from '@keel/telemetry';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CryptoModule } from './common/crypto/crypto.module';
import { SecretKeys } from './common/crypto/secret-keys';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { ALL_ROUTES_PATH } from './common/http/all-routes';
import { JsonBodyMiddleware } from './common/http/json-body.middleware';
import { RequestLoggingMiddleware } from './common/logging/request-logging.middleware';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { loggerOptionsFrom } from './common/logging/logger.options';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { cacheOptionsFrom } from './infrastructure/cache.options-factory';
import { databaseOptionsFrom } from './infrastructure/database.options-factory';
import { metricsOptionsFrom } from './infrastructure/metrics.options-factory';
import { telemetryOptionsFrom } from './infrastructure/observability.options-factory';
import { storageOptionsFrom } from './infrastructure/storage.options-factory';
import { type ProcessRole, queueOptionsFrom } from './infrastructure/queue.options-factory';
import { WorkspaceApiKeysModule } from './modules/api-keys/workspace-api-keys.module';
import { AppsModule } from './modules/apps/apps.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { SsoModule } from './modules/sso/sso.module';
import { HealthModule } from './modules/health/health.module';
import { MailTemplatesModule } from './modules/mail/mail-templates.module';
import { HttpMetricsMiddleware } from './modules/metrics/http-metrics.middleware';
import { MetricsHttpModule } from './modules/metrics/metrics-http.module';
import { PluginsModule } from './modules/plugins/plugins.module';
import { ProvidersModule } from './modules/providers/providers.module';
import { OpenAiApiModule } from './modules/openai-api/openai-api.module';
import { ServiceApiModule } from './modules/service-api/service-api.module';
import { WorkspacesModule } from './modules/workspaces/workspaces.module';

export interface RootModuleOptions {
  /**
   * Replaces stdout as the log sink (tests read it; an embedding host may route it); the format
   * and redaction stay the same.
   */
  logDestination?: DestinationStream;
}

const OPTIONAL_REDIS = { token: RedisService, optional: true };

/**
 * Every extension, configured from the validated `AppConfig`. This is the only place where
 * `forRootAsync` is called; the API (`AppModule`) and the worker (`WorkerModule`) both use it.
 */
export function infrastructureModules(config: AppConfig, role: ProcessRole, options: RootModuleOptions = {}) {
  return [
    ConfigModule.forRoot(config),
    LoggerModule.forRootAsync({
      useFactory: (appConfig: AppConfig) => loggerOptionsFrom(appConfig, options.logDestination),
      inject: [AppConfig],
    }),
    LifecycleModule,
    CryptoModule,
    DatabaseModule.forRootAsync({ useFactory: databaseOptionsFrom, inject: [AppConfig] }),
    // Redis is optional: not configured → not loaded, and the extensions below use their
    // in-process drivers (config validation makes sure none asks for Redis without it).
    ...(config.redis
      ? [RedisModule.forRootAsync({ useFactory: (appConfig: AppConfig) => appConfig.redis!, inject: [AppConfig] })]
      : []),
    CacheModule.forRootAsync({ useFactory: cacheOptionsFrom, inject: [AppConfig, OPTIONAL_REDIS] }),
    QueueModule.forRootAsync({
      useFactory: (appConfig: AppConfig, redis?: RedisService) => queueOptionsFrom(appConfig, role, redis),
      inject: [AppConfig, OPTIONAL_REDIS],
    }),
    StorageModule.forRootAsync({ useFactory: storageOptionsFrom, inject: [AppConfig, SecretKeys] }),
    MailModule.forRootAsync({ useFactory: (appConfig: AppConfig) => appConfig.mail, inject: [AppConfig] }),
    MetricsModule.forRootAsync({ useFactory: metricsOptionsFrom, inject: [AppConfig] }),
    // Both clients are started by instrument.ts before Nest; these modules report on them.
    SentryModule.forRootAsync({ useFactory: (appConfig: AppConfig) => appConfig.sentry, inject: [AppConfig] }),
    TelemetryModule.forRootAsync({
      useFactory: (appConfig: AppConfig) => telemetryOptionsFrom(appConfig, role),
      inject: [AppConfig],
    }),
  ];
}

/** The HTTP API's composition root, built per configuration so tests boot it on any backend. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, options: RootModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...infrastructureModules(config, 'api', options),
        HealthModule,
        MetricsHttpModule,
        MailTemplatesModule,
        AuditModule,
        // Express tries routes in registration order, one pattern at a time: the two APIs' hot
        // routes come first so that a chat message is not matched against every console route.
        // The OpenAI face's three routes lead; the Service API's twenty-odd would otherwise be
        // tried before every chat completion.
        OpenAiApiModule,
        ServiceApiModule,
        SsoModule,
        AuthModule,
        WorkspacesModule,
        ProvidersModule,
        AppsModule,
        WorkspaceApiKeysModule,
        PluginsModule,
      ],
      controllers: [StorageDownloadController],
      providers: [
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Before routing: the request id and log line first, then metrics, so that requests with
    // unparsable bodies are logged and counted too.
    consumer
      .apply(RequestLoggingMiddleware, HttpMetricsMiddleware)
      .forRoutes({ path: ALL_ROUTES_PATH, method: RequestMethod.ALL });
    // Endpoint plugins get the request body as it came (the plugin decides what it is).
    consumer
      .apply(JsonBodyMiddleware)
      .exclude({ path: 'e/{*path}', method: RequestMethod.ALL })
      .forRoutes({ path: ALL_ROUTES_PATH, method: RequestMethod.ALL });
  }
}
