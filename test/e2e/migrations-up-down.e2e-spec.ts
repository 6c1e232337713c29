import { buildDataSourceOptions, createDatabaseDriver, migrationStatus, runPendingMigrations } from '@keel/database';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config.loader';
import { MIGRATIONS } from '../../src/database/database.migrations';
import { databaseOptionsFrom } from '../../src/infrastructure/database.options-factory';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';

/**
 * The schema as the database reports it: every table with its columns (name, type, nullability,
 * default), indices, uniques and foreign keys — what a migration's `down` must take back exactly.
 */
async function schemaOf(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const tables = await runner.getTables(await tablesOf(dataSource));
    return tables
      .map((table) => {
        const name = table.name.replace(/^.*\./, '');
        const columns = table.columns
          .map(
            (c) => `${c.name}:${c.type}${c.length ? `(${c.length})` : ''}${c.isNullable ? '?' : ''}=${c.default ?? ''}`,
          )
          .sort();
        const indices = table.indices
          .map((i) => `${i.isUnique ? 'unique ' : ''}(${[...i.columnNames].sort().join(',')})`)
          .sort();
        const uniques = table.uniques.map((u) => `(${[...u.columnNames].sort().join(',')})`).sort();
        const foreignKeys = table.foreignKeys
          .map(
            (f) =>
              `(${f.columnNames.join(',')})->${f.referencedTableName.replace(/^.*\./, '')}(${f.referencedColumnNames.join(',')})`,
          )
          .sort();
        return `${name} [${columns.join(', ')}] idx[${indices.join(' ')}] uq[${uniques.join(' ')}] fk[${foreignKeys.join(' ')}]`;
      })
      .sort();
  } finally {
    await runner.release();
  }
}

/** The tables of this database only (TypeORM's `getTables()` reads every schema of a MySQL server). */
async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const sql =
    dataSource.options.type === 'better-sqlite3'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      : dataSource.options.type === 'postgres'
        ? 'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()'
        : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
  const rows: Array<{ name?: string; NAME?: string }> = await dataSource.query(sql);
  return rows.map((row) => (row.name ?? row.NAME)!);
}

const tableNames = (schema: string[]) => schema.map((line) => line.split(' ')[0]);

/**
 * Issue 15: every migration goes up and down on each database. Step by step from an empty database,
 * each migration is applied, reverted (the schema must be exactly the one before it) and applied
 * again (exactly the one after it); then, from the top, every one is reverted in turn down to a
 * database with only the migrations table, each step giving back the schema recorded on the way up.
 */
function upAndDownOn(kind: TestDatabaseKind): void {
  let db: TestDatabase;
  let dir: string;
  let options: ReturnType<typeof databaseOptionsFrom>;

  /** A connection that knows only the first `count` migrations, so applying runs exactly the next one. */
  async function withMigrations<T>(
    count: number,
    use: (ds: DataSource, driver: ReturnType<typeof createDatabaseDriver>) => Promise<T>,
  ): Promise<T> {
    const stepOptions = { ...options, migrations: MIGRATIONS.slice(0, count) };
    const driver = createDatabaseDriver(stepOptions);
    const ds = await new DataSource(buildDataSourceOptions(driver, stepOptions)).initialize();
    try {
      await driver.afterConnect(ds);
      return await use(ds, driver);
    } finally {
      await ds.destroy();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'keel-migrations-'));
    const config = loadConfig({
      env: { NODE_ENV: 'test', DATA_DIR: dir, SECRET_KEY: 's'.repeat(32), ...db.env },
      envFile: false,
    });
    options = { ...databaseOptionsFrom(config), migrationsRun: false };
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies, reverts and re-applies each migration, then reverts them all, each step exactly undone', async () => {
    // schemas[n]: the schema with the first n migrations applied.
    const schemas: string[][] = [await withMigrations(0, (ds) => schemaOf(ds))];
    expect(schemas[0]).toEqual([]);
    for (let n = 1; n <= MIGRATIONS.length; n++) {
      const name = MIGRATIONS[n - 1].name;
      await withMigrations(n, async (ds, driver) => {
        expect(await runPendingMigrations(ds, driver)).toEqual([name]);
        const after = await schemaOf(ds);
        expect({ name, grew: after.join('\n') !== schemas[n - 1].join('\n') }).toEqual({ name, grew: true });
        await ds.undoLastMigration({ transaction: 'each' });
        const reverted = await schemaOf(ds);
        // The first revert leaves the (empty) migrations table the first migration run created.
        expect({ name, schema: n === 1 ? tableNames(reverted) : reverted }).toEqual({
          name,
          schema: n === 1 ? ['migrations'] : schemas[n - 1],
        });
        expect(await runPendingMigrations(ds, driver)).toEqual([name]);
        expect({ name, schema: await schemaOf(ds) }).toEqual({ name, schema: after });
        schemas.push(after);
      });
    }
    expect(tableNames(schemas[MIGRATIONS.length])).toEqual(
      expect.arrayContaining(['accounts', 'apps', 'plugin_endpoints', 'migrations']),
    );

    await withMigrations(MIGRATIONS.length, async (ds) => {
      for (let n = MIGRATIONS.length; n > 1; n--) {
        await ds.undoLastMigration({ transaction: 'each' });
        const name = MIGRATIONS[n - 1].name;
        expect({ name, schema: await schemaOf(ds) }).toEqual({ name, schema: schemas[n - 1] });
        expect((await migrationStatus(ds)).applied).toHaveLength(n - 1);
      }
      await ds.undoLastMigration({ transaction: 'each' });
      expect(tableNames(await schemaOf(ds))).toEqual(['migrations']);
    });
  });
}

describe('migrations up and down', () => {
  describe('on SQLite', () => upAndDownOn('sqlite'));
  describeWith('postgres', 'on PostgreSQL', () => upAndDownOn('postgres'));
  describeWith('mariadb', 'on MariaDB', () => upAndDownOn('mariadb'));
});
