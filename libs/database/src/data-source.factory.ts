import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type QueryRunner, type DataSourceOptions, MigrationExecutor } from 'typeorm';
import type { DatabaseModuleOptions } from './database.options';
import type { DatabaseDriver } from './drivers/database-driver';
import { traceQueries } from './query-tracing';
import { TypeOrmLogger } from './typeorm.logger';

const logger = new Logger('Database');

/** A failure that retrying the connection cannot fix. */
export class MigrationFailedError extends Error {
  constructor(cause: unknown) {
    super(`Database migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/**
 * The database was migrated by a newer Keel: this version does not know every migration applied
 * to it, and running against that schema could corrupt data. Raised before anything is changed.
 */
export class SchemaNewerThanCodeError extends Error {
  constructor(readonly unknownMigrations: string[]) {
    super(
      `The database schema is newer than this version of Keel: it has migration(s) ${unknownMigrations.join(', ')} ` +
        'applied, which this version does not know. Run the Keel version that applied them (or a later one), ' +
        'or restore the backup taken before that upgrade; Keel does not downgrade a schema.',
    );
    this.name = 'SchemaNewerThanCodeError';
  }
}

export function buildDataSourceOptions(driver: DatabaseDriver, options: DatabaseModuleOptions): DataSourceOptions {
  return {
    ...driver.dataSourceOptions(),
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    // Migrations run in `openDataSource`, under a lock and without the statement timeout.
    migrationsRun: false,
    synchronize: false,
    logger: new TypeOrmLogger(options.logQueries),
    maxQueryExecutionTime: 2_000,
  } as DataSourceOptions;
}

/**
 * Connects (retrying while the server is not reachable yet, as in a compose stack that starts
 * everything at once), applies the driver's session settings, then the pending migrations.
 */
export async function connectWithRetry(driver: DatabaseDriver, options: DatabaseModuleOptions): Promise<DataSource> {
  const dataSourceOptions = buildDataSourceOptions(driver, options);
  for (let attempt = 0; ; attempt++) {
    try {
      return await openDataSource(driver, dataSourceOptions, options.migrationsRun);
    } catch (error) {
      // A failed migration or a too-new schema is not a connection problem: retrying cannot help.
      const final = error instanceof MigrationFailedError || error instanceof SchemaNewerThanCodeError;
      if (final || attempt >= options.connectRetries) {
        if (!final) {
          throw new Error(`Cannot connect to ${driver.describe()}: ${messageOf(error)}`, { cause: error });
        }
        throw error;
      }
      logger.warn(
        `Cannot connect to ${driver.describe()} (${messageOf(error)}); retry ${attempt + 1}/${options.connectRetries} in ${options.connectRetryDelayMs} ms`,
      );
      await sleep(options.connectRetryDelayMs);
    }
  }
}

async function openDataSource(
  driver: DatabaseDriver,
  dataSourceOptions: DataSourceOptions,
  runMigrations: boolean,
): Promise<DataSource> {
  const dataSource = await new DataSource(dataSourceOptions).initialize();
  traceQueries(dataSource, driver.name);
  try {
    await driver.afterConnect(dataSource);
    if (runMigrations) await runPendingMigrations(dataSource, driver);
    return dataSource;
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

export interface MigrationStatus {
  /** Applied, in the order they were. */
  applied: string[];
  /** Known to this code and not applied yet, in order. */
  pending: string[];
  /** Applied but unknown to this code: a newer version migrated the database. */
  unknown: string[];
}

/** Where the schema stands, read without changing anything (not even creating the migrations table). */
export async function migrationStatus(dataSource: DataSource, queryRunner?: QueryRunner): Promise<MigrationStatus> {
  const runner = queryRunner ?? dataSource.createQueryRunner();
  try {
    const table = dataSource.options.migrationsTableName ?? 'migrations';
    const executed = (await runner.hasTable(table))
      ? await new MigrationExecutor(dataSource, runner).getExecutedMigrations()
      : [];
    const applied = executed.sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).map((m) => m.name);
    const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
    return {
      applied,
      pending: known.filter((name) => !applied.includes(name)),
      unknown: applied.filter((name) => !known.includes(name)),
    };
  } finally {
    if (!queryRunner) await runner.release();
  }
}

/** Applies pending migrations, one transaction each; returns the names applied. */
export async function runPendingMigrations(dataSource: DataSource, driver: DatabaseDriver): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const applied = await driver.withMigrationSession(queryRunner, async () => {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'each';
      const { unknown } = await migrationStatus(dataSource, queryRunner);
      if (unknown.length > 0) throw new SchemaNewerThanCodeError(unknown);
      return executor.executePendingMigrations();
    });
    if (applied.length > 0) {
      logger.log({ migrations: applied.map((m) => m.name) }, `applied ${applied.length} migration(s)`);
    }
    return applied.map((m) => m.name);
  } catch (error) {
    if (error instanceof SchemaNewerThanCodeError) throw error;
    throw new MigrationFailedError(error);
  } finally {
    await queryRunner.release();
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}
