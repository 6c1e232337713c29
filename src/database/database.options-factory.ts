import type { DatabaseModuleOptions } from '@keel/database';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './database.entities';
import { MIGRATIONS } from './database.migrations';

/** The configured backend plus the application's schema. */
export function databaseOptionsFrom(config: AppConfig): DatabaseModuleOptions {
  return { ...config.database, entities: ENTITIES, migrations: MIGRATIONS };
}
