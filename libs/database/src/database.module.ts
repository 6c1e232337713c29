import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource, EntityManager } from 'typeorm';
import { DATABASE_DRIVER } from './database.constants';
import { DatabaseHealthIndicator } from './database.health';
import { DATABASE_MODULE_OPTIONS, DatabaseConfigurableModule } from './database.module-definition';
import type { DatabaseModuleOptions } from './database.options';
import { connectWithRetry } from './data-source.factory';
import type { DatabaseDriver } from './drivers/database-driver';
import { createDatabaseDriver } from './drivers/create-database-driver';

/**
 * The relational database as a swappable extension: SQLite (embedded default), PostgreSQL or
 * MySQL/MariaDB behind TypeORM. Global, like TypeORM's own core module. The `DataSource` and
 * `EntityManager` it provides are the tokens `@nestjs/typeorm` looks up, so features keep using
 * `TypeOrmModule.forFeature([...])` and `@InjectRepository()`.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: DATABASE_DRIVER,
      useFactory: (options: DatabaseModuleOptions) => createDatabaseDriver(options),
      inject: [DATABASE_MODULE_OPTIONS],
    },
    {
      provide: DataSource,
      useFactory: (options: DatabaseModuleOptions, driver: DatabaseDriver) => connectWithRetry(driver, options),
      inject: [DATABASE_MODULE_OPTIONS, DATABASE_DRIVER],
    },
    { provide: EntityManager, useFactory: (dataSource: DataSource) => dataSource.manager, inject: [DataSource] },
    DatabaseHealthIndicator,
  ],
  exports: [DataSource, EntityManager, DATABASE_DRIVER, DatabaseHealthIndicator],
})
export class DatabaseModule extends DatabaseConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
