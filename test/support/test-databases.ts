import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { isAvailable, MARIADB_ADMIN, PG_ADMIN } from './services';

export type TestDatabaseKind = 'sqlite' | 'postgres' | 'mariadb';

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Variables that point Keel at this database. */
  env: Record<string, string>;
  /** Server-side name (or SQLite file). */
  name: string;
  drop(): Promise<void>;
}

/** The kinds this run can use: SQLite always, the servers when the global setup found them. */
export function availableDatabaseKinds(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = ['sqlite'];
  if (isAvailable('postgres')) kinds.push('postgres');
  if (isAvailable('mariadb')) kinds.push('mariadb');
  return kinds;
}

/** A fresh, empty database of the given kind, so every suite starts from nothing. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  const name = `keel_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  switch (kind) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'keel-sqlite-'));
      const file = join(dir, 'keel.sqlite');
      return {
        kind,
        name: file,
        env: { DB_TYPE: 'sqlite', DB_DATABASE: file },
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case 'postgres': {
      await withPg((c) => c.query(`CREATE DATABASE "${name}"`));
      return {
        kind,
        name,
        env: { DATABASE_URL: `postgres://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${name}` },
        drop: () => withPg((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
      };
    }
    case 'mariadb': {
      await withMariadb((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
      return {
        kind,
        name,
        env: { DATABASE_URL: `mysql://${MARIADB_ADMIN.user}@${MARIADB_ADMIN.host}:${MARIADB_ADMIN.port}/${name}` },
        drop: () => withMariadb((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
      };
    }
  }
}

async function withPg<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(PG_ADMIN);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withMariadb<T>(work: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection(MARIADB_ADMIN);
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}
