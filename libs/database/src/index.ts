export { DatabaseModule } from './database.module';
export { DATABASE_MODULE_OPTIONS } from './database.module-definition';
export type {
  DatabaseDriverName,
  DatabaseModuleOptions,
  MysqlDatabaseOptions,
  PostgresDatabaseOptions,
  SqliteDatabaseOptions,
} from './database.options';
export { DATABASE_DRIVER } from './database.constants';
export type { DatabaseDriver } from './drivers/database-driver';
export { createDatabaseDriver } from './drivers/create-database-driver';
export { DatabaseHealthIndicator } from './database.health';
export {
  buildDataSourceOptions,
  connectWithRetry,
  MigrationFailedError,
  SchemaNewerThanCodeError,
  migrationStatus,
  runPendingMigrations,
} from './data-source.factory';
export type { MigrationStatus } from './data-source.factory';
export { traceStatement, traceStatementSync } from './query-tracing';
