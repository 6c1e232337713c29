import type { DatabaseModuleOptions } from '@keel/database';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './database.entities';
import { MIGRATIONS } from './database.migrations';

/** Maps validated configuration to the database extension's options. */
export function databaseOptionsFrom(config: AppConfig): DatabaseModuleOptions {
  const db = config.database;
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: db.migrationsRun,
    connectTimeoutMs: db.connectTimeoutMs,
    connectRetries: db.connectRetries,
    connectRetryDelayMs: db.connectRetryDelayMs,
    logQueries: db.logQueries,
  };
  switch (db.type) {
    case 'sqlite':
      return { ...common, driver: 'sqlite', path: db.path, busyTimeoutMs: db.busyTimeoutMs };
    case 'postgres':
    case 'mysql':
      return {
        ...common,
        driver: db.type,
        host: db.host,
        port: db.port,
        username: db.username,
        password: db.password,
        database: db.database,
        ssl: db.ssl,
        poolSize: db.poolSize,
        statementTimeoutMs: db.statementTimeoutMs,
      };
  }
}
