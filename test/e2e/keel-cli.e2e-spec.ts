import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/database.migrations';
import { randomUUID } from 'node:crypto';
import { ENTITIES } from '../../src/database/database.entities';
import { ProviderCredential } from '../../src/modules/providers/provider-credential.entity';
import { Workspace } from '../../src/modules/workspaces/workspace.entity';
import { cipherUnder } from '../support/credential-cipher';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { keel, keelWith } from '../support/keel-cli';
import { freePort } from '../support/server-process';
import { describeWith } from '../support/services';
import { bootTestApp } from '../support/test-app';
import { type RunningServer, startS3rver } from '../support/storage-servers';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';

const names = MIGRATIONS.map((m) => m.name);

/** Issue 15, `keel migrate` and `keel doctor`: dry run, apply, up to date, the newer-schema refusal; on each database. */
function migrateOn(kind: TestDatabaseKind): void {
  let db: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = kind === 'sqlite' ? undefined : await createTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
    env = { DATA_DIR: dataDir, SECRET_KEY: 's'.repeat(32), ...(db?.env ?? {}) };
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function appliedRows(): Promise<string[]> {
    const ds = new DataSource(
      kind === 'sqlite'
        ? { type: 'better-sqlite3', database: join(dataDir, 'keel.sqlite') }
        : { type: kind === 'postgres' ? 'postgres' : 'mariadb', url: db!.env.DATABASE_URL },
    );
    await ds.initialize();
    try {
      const runner = ds.createQueryRunner();
      const has = await runner.hasTable('migrations');
      await runner.release();
      if (!has) return [];
      const rows: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id');
      return rows.map((r) => r.name);
    } finally {
      await ds.destroy();
    }
  }

  it('lists the pending migrations with --dry-run and changes nothing', async () => {
    const result = await keel(env, 'migrate', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${names.length} pending migration(s), not applied (--dry-run)`);
    for (const name of names) expect(result.stdout).toContain(name);
    expect(await appliedRows()).toEqual([]);
  });

  it('applies them, then has nothing to do', async () => {
    const applied = await keel(env, 'migrate');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`applied ${names.length} migration(s)`);
    expect(await appliedRows()).toEqual(names);
    const again = await keel(env, 'migrate', '--dry-run');
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`up to date (${names.length} migrations applied)`);
    // With the schema in place, the doctor finds nothing wrong.
    const doctor = await keel(env, 'doctor');
    expect(
      doctor.stdout
        .trim()
        .split('\n')
        .filter((line) => !/^CHECK .+ … OK/.test(line)),
    ).toEqual([]);
    expect(doctor.stdout).toContain(
      `CHECK database … OK (${kind === 'sqlite' ? 'sqlite' : kind === 'postgres' ? 'postgres' : 'mysql'}`,
    );
    expect(doctor.stdout).toContain('CHECK model providers … OK (none configured yet)');
    expect(doctor.code).toBe(0);
  });

  it('sets up the owner, adds an admin and resets a password; the server takes the new passwords', async () => {
    const owner = await keelWith(
      'owner-pass-1\n',
      env,
      'create-admin',
      '--email',
      'Owner@Example.com',
      '--name',
      'Olive',
    );
    expect(owner.code).toBe(0);
    expect(owner.stdout).toContain('Set up Keel: owner@example.com owns the new workspace "Olive\'s Workspace"');
    const admin = await keelWith('admin-pass-2\n', env, 'create-admin', '--email', 'admin@example.com');
    expect(admin.code).toBe(0);
    expect(admin.stdout).toContain('Created admin@example.com, admin of workspace');
    const duplicate = await keelWith('other-pass-3\n', env, 'create-admin', '--email', 'admin@example.com');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already has an account');
    const weak = await keelWith('short\n', env, 'create-admin', '--email', 'weak@example.com');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('Password must be at least 8 characters');
    expect((await keelWith('x-pass-123\n', env, 'create-admin')).code).toBe(2);

    const reset = await keelWith('newer-pass-9\n', env, 'reset-password', '--email', 'owner@example.com');
    expect(reset).toMatchObject({ code: 0 });
    expect((await keelWith('newer-pass-9\n', env, 'reset-password', '--email', 'nobody@example.com')).code).toBe(1);

    // The server on the same database: the passwords set by the command are the ones that work.
    const t = await bootTestApp({
      ...(db?.env ?? { DB_TYPE: 'sqlite', DB_DATABASE: join(dataDir, 'keel.sqlite') }),
      SECRET_KEY: env.SECRET_KEY,
    });
    try {
      const login = (email: string, password: string) =>
        request(t.baseUrl).post('/console/api/login').send({ email, password });
      expect((await login('owner@example.com', 'owner-pass-1')).status).toBe(401);
      expect((await login('owner@example.com', 'newer-pass-9')).status).toBe(200);
      const asAdmin = await login('admin@example.com', 'admin-pass-2');
      expect(asAdmin.status).toBe(200);
      const members = await request(t.baseUrl)
        .get('/console/api/workspaces/current/members')
        .set('Authorization', `Bearer ${asAdmin.body.data.access_token as string}`)
        .expect(200);
      expect(
        (members.body.accounts as Array<{ email: string; role: string }>).map((m) => [m.email, m.role]).sort(),
      ).toEqual([
        ['admin@example.com', 'admin'],
        ['owner@example.com', 'owner'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('refuses a database a newer Keel migrated, with exit 1 and the migration named', async () => {
    const ds = new DataSource(
      kind === 'sqlite'
        ? { type: 'better-sqlite3', database: join(dataDir, 'keel.sqlite') }
        : { type: kind === 'postgres' ? 'postgres' : 'mariadb', url: db!.env.DATABASE_URL },
    );
    await ds.initialize();
    await ds.query(`INSERT INTO migrations (timestamp, name) VALUES (1999999999999, 'FromTheFuture1999999999999')`);
    await ds.destroy();
    const refused = await keel(env, 'migrate');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('schema is newer than this Keel: FromTheFuture1999999999999');
    const doctor = await keel(env, 'doctor');
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      /CHECK database … FAIL: the schema is newer than this Keel \(FromTheFuture1999999999999\) → run the Keel version/,
    );
  });
}

describe('keel CLI', () => {
  it('prints its usage, and exits 2 on an unknown command or option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
    try {
      const help = await keel({ DATA_DIR: dir }, 'help');
      expect(help).toMatchObject({ code: 0 });
      expect(help.stdout).toContain('migrate [--dry-run]');
      expect((await keel({ DATA_DIR: dir }, 'frobnicate')).code).toBe(2);
      const unknownOption = await keel({ DATA_DIR: dir }, 'migrate', '--force');
      expect(unknownOption.code).toBe(2);
      expect(unknownOption.stderr).toContain("Unknown option '--force'");
      const badConfig = await keel({ DATA_DIR: dir, DB_TYPE: 'oracle' }, 'migrate');
      expect(badConfig.code).toBe(1);
      expect(badConfig.stderr).toContain('DB_TYPE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('doctor', () => {
    let dir: string;
    let s3: RunningServer | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'keel-doctor-'));
      expect((await keel({ DATA_DIR: dir, SECRET_KEY: 's'.repeat(32) }, 'migrate')).code).toBe(0);
    });
    afterAll(async () => {
      await s3?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const base = () => ({ DATA_DIR: dir, SECRET_KEY: 's'.repeat(32) });

    it('names a bad variable and stops there', async () => {
      const result = await keel({ ...base(), DB_TYPE: 'oracle' }, 'doctor');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^CHECK config … FAIL: DB_TYPE must be one of .* → set the variables named above/m);
      expect(result.stdout).not.toContain('CHECK database');
    });

    it('reports a stopped Redis with what to fix, and exits 1', async () => {
      const result = await keel({ ...base(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, 'doctor');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^CHECK redis … FAIL: .*ECONNREFUSED.* → check REDIS_URL/m);
      expect(result.stdout).toMatch(/^CHECK database … OK/m);
      expect(result.stdout).toMatch(/^CHECK storage … OK/m);
    });

    it('reports a wrong storage credential with what to fix, and exits 1', async () => {
      s3 = await startS3rver('keel-doctor');
      const result = await keel(
        {
          ...base(),
          STORAGE_DRIVER: 's3',
          S3_BUCKET: 'keel-doctor',
          S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
          S3_ACCESS_KEY_ID: 'WRONG',
          S3_SECRET_ACCESS_KEY: 'WRONG',
        },
        'doctor',
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^CHECK storage … FAIL: s3.* → check STORAGE_DRIVER and its settings/m);
    });
  });

  describe('doctor on saved model providers', () => {
    let dir: string;
    const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-right'] });
    const key = 's'.repeat(32);
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'keel-doctor-providers-'));
      await upstream.start();
      expect((await keel({ DATA_DIR: dir, SECRET_KEY: key }, 'migrate')).code).toBe(0);
    });
    afterAll(async () => {
      await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('checks each saved credential live: a rejected key and one sealed under another SECRET_KEY fail with the fix', async () => {
      const ds = await new DataSource({
        type: 'better-sqlite3',
        database: join(dir, 'keel.sqlite'),
        entities: ENTITIES,
      }).initialize();
      const sealedUnder = (secretKey: string, value: unknown) => cipherUnder(secretKey).encrypt(value);
      try {
        const now = new Date();
        const workspaces = [randomUUID(), randomUUID(), randomUUID()];
        for (const id of workspaces) {
          await ds.getRepository(Workspace).insert({ id, name: id, status: 'normal', createdAt: now, updatedAt: now });
        }
        const saved = (workspaceId: string, sealed: string) =>
          ds.getRepository(ProviderCredential).insert({
            id: randomUUID(),
            workspaceId,
            provider: 'openai_api_compatible',
            encryptedCredentials: sealed,
            updatedBy: null,
            createdAt: now,
            updatedAt: now,
          });
        await saved(workspaces[0], sealedUnder(key, { endpoint_url: upstream.baseUrl, api_key: 'sk-right' }));
        await saved(workspaces[1], sealedUnder(key, { endpoint_url: upstream.baseUrl, api_key: 'sk-wrong' }));
        await saved(workspaces[2], sealedUnder('another-key-'.padEnd(32, 'x'), { endpoint_url: upstream.baseUrl }));
        const result = await keel({ DATA_DIR: dir, SECRET_KEY: key }, 'doctor');
        expect(result.code).toBe(1);
        const line = (workspaceId: string) =>
          result.stdout.split('\n').find((l) => l.includes(`(workspace ${workspaceId})`)) ?? '';
        expect(line(workspaces[0])).toMatch(/ … OK$/);
        expect(line(workspaces[1])).toMatch(
          /… FAIL: .*Incorrect API key.* → update the provider's credentials in the console/,
        );
        expect(line(workspaces[2])).toMatch(
          /… FAIL: the saved credentials do not decrypt with this SECRET_KEY → run with the SECRET_KEY they were saved under/,
        );
      } finally {
        await ds.destroy();
      }
    });
  });

  describe('migrate on SQLite', () => migrateOn('sqlite'));
  describeWith('postgres', 'migrate on PostgreSQL', () => migrateOn('postgres'));
  describeWith('mariadb', 'migrate on MariaDB', () => migrateOn('mariadb'));
});
