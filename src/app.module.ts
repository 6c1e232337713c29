import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { DatabaseModule } from '@keel/database';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CryptoModule } from './common/crypto/crypto.module';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { ALL_ROUTES_PATH } from './common/http/all-routes';
import { JsonBodyMiddleware } from './common/http/json-body.middleware';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { loggerOptionsFrom } from './common/logging/logger.options';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { databaseOptionsFrom } from './database/database.options-factory';
import { HealthModule } from './modules/health/health.module';

/**
 * The composition root: the only place where extensions are configured (`forRootAsync` from the
 * validated `AppConfig`). Built per configuration so tests can boot the real module on any database.
 */
@Module({})
export class AppModule implements NestModule {
  /**
   * `logDestination` replaces stdout as the log sink (tests read it; an embedding host may route
   * it); the format and redaction stay the same.
   */
  static forRoot(config: AppConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({
          useFactory: (appConfig: AppConfig) => loggerOptionsFrom(appConfig, options.logDestination),
          inject: [AppConfig],
        }),
        LifecycleModule,
        CryptoModule,
        DatabaseModule.forRootAsync({ useFactory: databaseOptionsFrom, inject: [AppConfig] }),
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Runs after the request logger (a global module's middleware) and before routing.
    consumer.apply(JsonBodyMiddleware).forRoutes({ path: ALL_ROUTES_PATH, method: RequestMethod.ALL });
  }
}
