import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { SqliteDatabaseOptions } from '../database.options';
import type { DatabaseDriver } from './database-driver';

export class SqliteDriver implements DatabaseDriver {
  readonly name = 'sqlite' as const;

  constructor(private readonly options: SqliteDatabaseOptions) {}

  dataSourceOptions(): DataSourceOptions {
    if (this.options.path !== ':memory:') mkdirSync(dirname(this.options.path), { recursive: true });
    return {
      type: 'better-sqlite3',
      database: this.options.path,
      // WAL lets readers proceed while one writer commits; busy_timeout makes a writer wait for the
      // lock instead of failing at once with SQLITE_BUSY.
      enableWAL: this.options.path !== ':memory:',
      timeout: this.options.busyTimeoutMs,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma(`busy_timeout = ${this.options.busyTimeoutMs}`);
        db.pragma('synchronous = NORMAL');
      },
    };
  }

  async afterConnect(_dataSource: DataSource): Promise<void> {}

  /** One file, one writer at a time: SQLite's own locking serialises migrations. */
  withMigrationSession<T>(_queryRunner: QueryRunner, work: () => Promise<T>): Promise<T> {
    return work();
  }

  describe(): string {
    return `sqlite ${this.options.path}`;
  }
}
