import type { DatabaseModuleOptions } from '@keel/database';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from '../database/database.entities';
import { MIGRATIONS } from '../database/database.migrations';

/** The configured backend plus the application's schema. */
export function databaseOptionsFrom(config: AppConfig): DatabaseModuleOptions {
  return { ...config.database, entities: ENTITIES, migrations: MIGRATIONS };
}
