import { ConsoleAccounts1763900000000 } from './migrations/1763900000000-console-accounts';
import { AccountIntegrations1763950000000 } from './migrations/1763950000000-account-integrations';

/**
 * Every migration, oldest first. They must run on SQLite, PostgreSQL and MySQL/MariaDB alike, so
 * they use TypeORM's QueryRunner table API rather than dialect SQL.
 */
export const MIGRATIONS: Function[] = [ConsoleAccounts1763900000000, AccountIntegrations1763950000000];
