import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { DatabaseDriverName } from '../database.options';

/** What differs between the SQL backends; everything else is TypeORM's job. */
export interface DatabaseDriver {
  readonly name: DatabaseDriverName;
  /** Connection options for TypeORM, without entities, migrations or logger. */
  dataSourceOptions(): DataSourceOptions;
  /** Runs once after the pool is up (per-connection session settings, sanity checks). */
  afterConnect(dataSource: DataSource): Promise<void>;
  /**
   * Runs `work` (the migrations) on one session that holds the database-wide migration lock, so
   * replicas booting together apply each migration once, and has the statement timeout lifted,
   * so a long migration is not cut off. Both are undone before the session returns to the pool.
   */
  withMigrationSession<T>(queryRunner: QueryRunner, work: () => Promise<T>): Promise<T>;
  /** Human-readable target for logs and errors; never contains the password. */
  describe(): string;
}
