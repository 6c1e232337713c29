import { buildDataSourceOptions, createDatabaseDriver, migrationStatus } from '@keel/database';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { databaseOptionsFrom } from '../infrastructure/database.options-factory';

/** A command's connection to the configured database, its schema required to be current. */
export async function openCurrentSchema(config: AppConfig): Promise<DataSource> {
  const options = { ...databaseOptionsFrom(config), migrationsRun: false, connectRetries: 0 };
  const driver = createDatabaseDriver(options);
  const dataSource = await new DataSource(buildDataSourceOptions(driver, options)).initialize();
  try {
    await driver.afterConnect(dataSource);
    const status = await migrationStatus(dataSource);
    if (status.unknown.length > 0) throw new Error(`the schema is newer than this Keel (${status.unknown.join(', ')})`);
    if (status.pending.length > 0) {
      throw new Error(`${status.pending.length} migration(s) are pending: run keel migrate first`);
    }
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
