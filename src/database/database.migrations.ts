/**
 * Every migration, oldest first. They must run on SQLite, PostgreSQL and MySQL/MariaDB alike, so
 * they use TypeORM's QueryRunner table API rather than dialect SQL.
 */
export const MIGRATIONS: Function[] = [];
