import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { PostgresDatabaseOptions } from '../database.options';
import type { DatabaseDriver } from './database-driver';

/** Arbitrary but fixed: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK_KEY = 7_134_905_211;

export class PostgresDriver implements DatabaseDriver {
  readonly name = 'postgres' as const;

  constructor(private readonly options: PostgresDatabaseOptions) {}

  dataSourceOptions(): DataSourceOptions {
    const o = this.options;
    return {
      type: 'postgres',
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      database: o.database,
      ssl: o.ssl,
      poolSize: o.poolSize,
      connectTimeoutMS: o.connectTimeoutMs,
      applicationName: 'keel',
      // node-postgres sends these as startup parameters, so every pooled session gets them.
      extra: {
        statement_timeout: o.statementTimeoutMs,
        idle_in_transaction_session_timeout: Math.max(o.statementTimeoutMs, 60_000),
      },
    };
  }

  async afterConnect(_dataSource: DataSource): Promise<void> {}

  async withMigrationSession<T>(queryRunner: QueryRunner, work: () => Promise<T>): Promise<T> {
    await queryRunner.query('SET statement_timeout = 0');
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await queryRunner.query(`SET statement_timeout = ${this.options.statementTimeoutMs}`);
    }
  }

  describe(): string {
    return `postgres ${this.options.host}:${this.options.port}/${this.options.database}`;
  }
}
