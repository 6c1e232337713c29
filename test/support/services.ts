import { createConnection } from 'node:net';
import mysql from 'mysql2/promise';
import { Client } from 'pg';

/**
 * The servers the suites need, as this machine runs them on loopback. A suite that needs one
 * that is down is skipped with one SKIPPED line — unless REQUIRE_SERVICES=1 (CI), which fails.
 */
export type ServiceName = 'postgres' | 'mariadb' | 'redis';

export const SERVICES: Record<ServiceName, { label: string; start: string }> = {
  postgres: {
    label: 'PostgreSQL at 127.0.0.1:5432',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  mariadb: {
    label: 'MariaDB at 127.0.0.1:3306',
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
  redis: {
    label: 'Redis at 127.0.0.1:6379',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
};

export const PG_ADMIN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
export const MARIADB_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

const ENV_KEY = 'KEEL_TEST_SERVICES';

export async function probe(name: ServiceName): Promise<boolean> {
  try {
    switch (name) {
      case 'postgres': {
        const client = new Client({ ...PG_ADMIN, connectionTimeoutMillis: 2_000 });
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return true;
      }
      case 'mariadb': {
        const conn = await mysql.createConnection({ ...MARIADB_ADMIN, connectTimeout: 2_000 });
        await conn.query('SELECT 1');
        await conn.end();
        return true;
      }
      case 'redis':
        return await redisPing();
    }
  } catch {
    return false;
  }
}

function redisPing(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Written by the global setup, read by suites (Jest workers inherit the environment). */
export function recordAvailability(available: ServiceName[]): void {
  process.env[ENV_KEY] = available.join(',');
}

export function isAvailable(name: ServiceName): boolean {
  return (process.env[ENV_KEY] ?? '').split(',').includes(name);
}

/** `describe` when the service is up; otherwise the suite is reported skipped (the global setup printed why). */
export function describeWith(service: ServiceName, name: string, suite: () => void): void {
  (isAvailable(service) ? describe : describe.skip)(name, suite);
}
