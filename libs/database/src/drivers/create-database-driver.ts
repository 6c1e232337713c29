import type { DatabaseModuleOptions } from '../database.options';
import type { DatabaseDriver } from './database-driver';
import { MysqlDriver } from './mysql.driver';
import { PostgresDriver } from './postgres.driver';
import { SqliteDriver } from './sqlite.driver';

export function createDatabaseDriver(options: DatabaseModuleOptions): DatabaseDriver {
  switch (options.driver) {
    case 'sqlite':
      return new SqliteDriver(options);
    case 'postgres':
      return new PostgresDriver(options);
    case 'mysql':
      return new MysqlDriver(options);
    default: {
      const unknown: never = options;
      throw new Error(`Unknown database driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
