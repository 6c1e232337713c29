import { QueryFailedError } from 'typeorm';

const UNIQUE_CODES = new Set(['23505', 'ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * Whether an insert lost a race on a unique key, on any of the three databases: the winner's row
 * is there, so the caller reads it rather than failing.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: unknown; errno?: unknown } | undefined;
  return UNIQUE_CODES.has(String(driverError?.code)) || driverError?.errno === 1062;
}
