import {
  connectWithRetry,
  createDatabaseDriver,
  type DatabaseModuleOptions,
  MigrationFailedError,
  SchemaNewerThanCodeError,
} from '@keel/database';
import { type MigrationInterface, type QueryRunner, Table, type DataSource } from 'typeorm';
import { databaseOptionsFrom } from '../../src/infrastructure/database.options-factory';
import { loadConfig } from '../../src/config/config.loader';
import { availableDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/test-databases';

/** Written with the QueryRunner table API, as every Keel migration must be. */
/** What a later version of the application would have added. */
class CreateGadgets1700000000003 implements MigrationInterface {
  name = 'CreateGadgets1700000000003';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({ name: 'gadgets', columns: [{ name: 'id', type: 'varchar', length: '36', isPrimary: true }] }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('gadgets');
  }
}

class CreateWidgets1700000000001 implements MigrationInterface {
  name = 'CreateWidgets1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'widgets',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'label', type: 'varchar', length: '255', isNullable: false },
        ],
      }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('widgets');
  }
}

class BrokenMigration1700000000002 implements MigrationInterface {
  name = 'BrokenMigration1700000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('INSERT INTO no_such_table VALUES (1)');
  }
  async down(): Promise<void> {}
}

function optionsFor(db: TestDatabase, overrides: Partial<DatabaseModuleOptions> = {}): DatabaseModuleOptions {
  const config = loadConfig({ env: { NODE_ENV: 'test', DATA_DIR: '/tmp/keel-unused', ...db.env }, envFile: false });
  return { ...databaseOptionsFrom(config), connectRetries: 0, ...overrides } as DatabaseModuleOptions;
}

describe.each(availableDatabaseKinds())('database extension on %s', (kind) => {
  let db: TestDatabase;
  const open: DataSource[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((ds) => ds.destroy()));
    await db.drop();
  });

  async function connect(overrides: Partial<DatabaseModuleOptions> = {}): Promise<DataSource> {
    const options = optionsFor(db, overrides);
    const ds = await connectWithRetry(createDatabaseDriver(options), options);
    open.push(ds);
    return ds;
  }

  it('applies migrations once, even when two replicas boot at the same time', async () => {
    const options = { migrations: [CreateWidgets1700000000001], migrationsRun: true };
    // SQLite serialises writers itself; two connections to one file race exactly like two replicas.
    const [a, b] = await Promise.all([connect(options), connect(options)]);
    const applied: { name: string }[] = await a.query('SELECT name FROM migrations');
    expect(applied.map((r) => r.name)).toEqual(['CreateWidgets1700000000001']);
    await b.query(`INSERT INTO widgets (id, label) VALUES ('w1', 'first')`);
    expect(await a.query('SELECT label FROM widgets')).toEqual([{ label: 'first' }]);
  });

  it('fails the boot on a broken migration without retrying, leaving earlier migrations applied', async () => {
    // A retry would wait a minute and time the test out.
    await expect(
      connect({
        migrations: [CreateWidgets1700000000001, BrokenMigration1700000000002],
        migrationsRun: true,
        connectRetries: 3,
        connectRetryDelayMs: 120_000,
      }),
    ).rejects.toBeInstanceOf(MigrationFailedError);
    const ds = await connect({ migrations: [], migrationsRun: false });
    const applied: { name: string }[] = await ds.query('SELECT name FROM migrations');
    expect(applied.map((r) => r.name)).toEqual(['CreateWidgets1700000000001']);
  });

  it('refuses to start against a schema a newer version migrated, naming the migration and changing nothing', async () => {
    await connect({ migrations: [CreateWidgets1700000000001, CreateGadgets1700000000003], migrationsRun: true });
    const older = connect({ migrations: [CreateWidgets1700000000001], migrationsRun: true });
    await expect(older).rejects.toBeInstanceOf(SchemaNewerThanCodeError);
    await expect(older).rejects.toThrow(/schema is newer than this version.*CreateGadgets1700000000003/);
    const ds = await connect({ migrations: [], migrationsRun: false });
    const applied: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((r) => r.name)).toEqual(['CreateWidgets1700000000001', 'CreateGadgets1700000000003']);
  });

  if (kind !== 'sqlite') {
    it('cuts off a statement that runs past the statement timeout', async () => {
      const ds = await connect({ statementTimeoutMs: 300 } as Partial<DatabaseModuleOptions>);
      const slow = kind === 'postgres' ? 'SELECT pg_sleep(3)' : 'SELECT SLEEP(3) AS slept';
      const outcome = await ds.query(slow).then(
        (rows: Array<{ slept?: number }>) => rows,
        (error: Error) => error,
      );
      // MariaDB may end SLEEP early and report 1 instead of raising; both mean it was interrupted.
      if (outcome instanceof Error) expect(outcome.message).toMatch(/timeout|max_statement_time|interrupted/i);
      else expect(outcome[0]?.slept).toBe(1);
    });

    it('names the target (never the password) when it cannot connect, after the configured retries', async () => {
      const error = await connect({
        port: 1,
        connectRetries: 1,
        connectRetryDelayMs: 50,
        password: 'hunter2-secret',
      } as Partial<DatabaseModuleOptions>).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        new RegExp(`^Cannot connect to ${kind === 'postgres' ? 'postgres' : 'mysql'} 127\\.0\\.0\\.1:1/`),
      );
      expect((error as Error).message).not.toContain('hunter2-secret');
    });
  }
});
