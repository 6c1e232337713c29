import type { MixedList } from 'typeorm';

interface CommonDatabaseOptions {
  /** Entity classes. The application owns its schema; this lib only connects and migrates. */
  entities: MixedList<Function>;
  /** Migration classes, in order. */
  migrations: MixedList<Function>;
  /** Apply pending migrations while connecting (before the app serves requests). */
  migrationsRun: boolean;
  /** How long one connection attempt may take. */
  connectTimeoutMs: number;
  /** Attempts after the first failed connection, and the pause between them. */
  connectRetries: number;
  connectRetryDelayMs: number;
  /** Log every SQL statement at debug level. */
  logQueries: boolean;
}

export interface SqliteDatabaseOptions extends CommonDatabaseOptions {
  driver: 'sqlite';
  /** File path, or `:memory:`. The parent directory is created when missing. */
  path: string;
  /** How long a statement waits for a lock held by another connection (SQLite `busy_timeout`). */
  busyTimeoutMs: number;
}

interface NetworkDatabaseOptions extends CommonDatabaseOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  database: string;
  ssl: boolean;
  poolSize: number;
  /** Server-side limit for one statement; 0 disables it. Migrations run without it. */
  statementTimeoutMs: number;
}

export interface PostgresDatabaseOptions extends NetworkDatabaseOptions {
  driver: 'postgres';
}

/** MySQL 8 and MariaDB 10.6+ (through mysql2). */
export interface MysqlDatabaseOptions extends NetworkDatabaseOptions {
  driver: 'mysql';
}

export type DatabaseModuleOptions = SqliteDatabaseOptions | PostgresDatabaseOptions | MysqlDatabaseOptions;
export type DatabaseDriverName = DatabaseModuleOptions['driver'];
