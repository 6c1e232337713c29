import { buildDataSourceOptions, createDatabaseDriver, migrationStatus, runPendingMigrations } from '@keel/database';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { databaseOptionsFrom } from '../infrastructure/database.options-factory';
import type { CommandOutput } from './command-output';

/**
 * `keel migrate [--dry-run]`: applies the pending migrations (what a boot would do), or with
 * `--dry-run` lists them and changes nothing. Forward only: there is no down here. A database a
 * newer Keel migrated is refused, as at boot. Exit status 0 when done (or nothing to do).
 */
export async function migrate(config: AppConfig, dryRun: boolean, out: CommandOutput): Promise<number> {
  const options = { ...databaseOptionsFrom(config), migrationsRun: false };
  const driver = createDatabaseDriver(options);
  const dataSource = await new DataSource(buildDataSourceOptions(driver, options)).initialize();
  try {
    await driver.afterConnect(dataSource);
    const status = await migrationStatus(dataSource);
    if (status.unknown.length > 0) {
      out.error(
        `The database schema is newer than this Keel: ${status.unknown.join(', ')} applied, unknown here. ` +
          'Run the Keel version that applied them, or restore the backup taken before that upgrade.',
      );
      return 1;
    }
    if (status.pending.length === 0) {
      out.say(`${driver.describe()}: up to date (${status.applied.length} migrations applied).`);
      return 0;
    }
    if (dryRun) {
      out.say(`${driver.describe()}: ${status.pending.length} pending migration(s), not applied (--dry-run):`);
      for (const name of status.pending) out.say(`  ${name}`);
      return 0;
    }
    const applied = await runPendingMigrations(dataSource, driver);
    out.say(`${driver.describe()}: applied ${applied.length} migration(s):`);
    for (const name of applied) out.say(`  ${name}`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
