import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { MysqlDatabaseOptions } from '../database.options';
import type { DatabaseDriver } from './database-driver';

interface PoolLike {
  on(event: 'connection', listener: (connection: { query(sql: string): unknown }) => void): void;
}

const MIGRATION_LOCK_NAME = 'keel:migrations';

export class MysqlDriver implements DatabaseDriver {
  readonly name = 'mysql' as const;
  private timeoutStatement?: string;

  constructor(private readonly options: MysqlDatabaseOptions) {}

  dataSourceOptions(): DataSourceOptions {
    const o = this.options;
    return {
      type: 'mysql',
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      database: o.database,
      ssl: o.ssl ? {} : undefined,
      poolSize: o.poolSize,
      connectTimeout: o.connectTimeoutMs,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: false,
    };
  }

  /**
   * mysql2 has no per-session init statement, so the statement timeout is set on each new pooled
   * connection. MariaDB (`max_statement_time`, seconds) and MySQL (`max_execution_time`, ms,
   * SELECT only) name it differently.
   */
  async afterConnect(dataSource: DataSource): Promise<void> {
    if (this.options.statementTimeoutMs <= 0) return;
    const [{ version }]: { version: string }[] = await dataSource.query('SELECT VERSION() AS version');
    this.timeoutStatement = /mariadb/i.test(version)
      ? `SET SESSION max_statement_time = ${this.options.statementTimeoutMs / 1000}`
      : `SET SESSION max_execution_time = ${this.options.statementTimeoutMs}`;
    const pool = (dataSource.driver as unknown as { pool: PoolLike }).pool;
    pool.on('connection', (connection) => connection.query(this.timeoutStatement!));
    // The pool holds exactly the one connection TypeORM opened to test it; it is idle, so this
    // query runs on it and the setting covers every connection the pool will hand out.
    await dataSource.query(this.timeoutStatement);
  }

  async withMigrationSession<T>(queryRunner: QueryRunner, work: () => Promise<T>): Promise<T> {
    if (this.timeoutStatement) await queryRunner.query(this.timeoutStatement.replace(/=\s*[\d.]+$/, '= 0'));
    // GET_LOCK waits up to the given seconds; -1 would wait forever on a crashed peer's lock.
    const [{ locked }] = (await queryRunner.query('SELECT GET_LOCK(?, 600) AS locked', [MIGRATION_LOCK_NAME])) as {
      locked: number | null;
    }[];
    if (Number(locked) !== 1) throw new Error('Timed out waiting for the migration lock held by another replica');
    try {
      return await work();
    } finally {
      await queryRunner.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK_NAME]);
      if (this.timeoutStatement) await queryRunner.query(this.timeoutStatement);
    }
  }

  describe(): string {
    return `mysql ${this.options.host}:${this.options.port}/${this.options.database}`;
  }
}
