import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WorkspaceApiKey } from '../../src/modules/api-keys/workspace-api-key.entity';
import { WorkspaceApiKeysService } from '../../src/modules/api-keys/workspace-api-keys.service';
import { addMember, bearer, login, type Session, seedWorkspace, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { eventually } from '../support/eventually';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const KEYS = '/console/api/workspaces/current/api-keys';
const MISSING = '00000000-0000-4000-8000-000000000000';
const KEY_PATTERN = /^sk-keel-[A-Za-z0-9]{40}$/;

interface WireKey {
  id: string;
  name: string;
  token: string;
  app_ids: string[] | null;
  expires_at: number | null;
  rpm: number | null;
  max_concurrent_requests: number | null;
  last_used_at: number | null;
  created_at: number;
  created_by: string | null;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const masked = (key: WireKey) => ({ ...key, token: `sk-keel-****${key.token.slice(-4)}` });

/** Console routes over HTTP, shared by the SQLite suite and the server-database suites. */
function keyRoutes(t: () => TestApp) {
  return {
    create: (session: Session, body: Record<string, unknown> = { name: 'Open WebUI' }) =>
      request(t().baseUrl).post(KEYS).set(bearer(session.access)).send(body),
    list: async (session: Session) =>
      (await request(t().baseUrl).get(KEYS).set(bearer(session.access)).expect(200)).body.data as WireKey[],
    remove: (session: Session, id: string) => request(t().baseUrl).delete(`${KEYS}/${id}`).set(bearer(session.access)),
    rows: () => t().app.get(DataSource).getRepository(WorkspaceApiKey),
  };
}

/**
 * Workspace API keys in the console: shown whole once, stored hashed, with an optional app
 * allowlist, expiry and limits; admins manage them, editors see them; scoped to the workspace.
 */
describe('workspace API keys', () => {
  let t: TestApp;
  let owner: Session;
  let admin: Session;
  let editor: Session;
  let normal: Session;
  const keys = keyRoutes(() => t);

  beforeAll(async () => {
    t = await bootTestApp();
    owner = await setupOwner(t);
    admin = await addMember(t, owner, 'admin@example.com', 'admin');
    editor = await addMember(t, owner, 'editor@example.com', 'editor');
    normal = await addMember(t, owner, 'normal@example.com', 'normal');
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A new workspace with its own owner, for tests that count every key of a workspace. */
  let strangers = 0;
  const freshWorkspace = async (): Promise<Session> => {
    const email = `stranger${++strangers}@example.com`;
    await seedWorkspace(t, email, 'stranger-pass-1');
    return login(t, email, 'stranger-pass-1');
  };

  const auditOf = async (action: string) =>
    (
      await request(t.baseUrl)
        .get(`/console/api/workspaces/current/audit-logs?action=${action}&limit=100`)
        .set(bearer(owner.access))
        .expect(200)
    ).body.data as Array<Record<string, unknown>>;

  it('creates a key, answering the whole key once; lists show it masked; the table keeps only its hash', async () => {
    const res = await keys.create(admin, { name: '  Open WebUI  ' }).expect(201);
    const created = res.body as WireKey;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Open WebUI',
      token: expect.stringMatching(KEY_PATTERN),
      app_ids: null,
      expires_at: null,
      rpm: null,
      max_concurrent_requests: null,
      last_used_at: null,
      created_at: expect.any(Number),
      created_by: admin.accountId,
    });
    expect(Number.isInteger(created.created_at)).toBe(true);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(60);

    const listed = await keys.list(owner);
    expect(listed).toContainEqual(masked(created));
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const row = await keys.rows().findOneByOrFail({ id: created.id });
    expect(row.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row.tokenTail).toBe(created.token.slice(-4));
    const secret = created.token.slice('sk-keel-'.length);
    const ds = t.app.get(DataSource);
    expect(JSON.stringify(await ds.query('SELECT * FROM workspace_api_keys'))).not.toContain(secret);
    expect(JSON.stringify(await ds.query('SELECT * FROM audit_logs'))).not.toContain(secret);
    expect(JSON.stringify(t.logs())).not.toContain(secret);
  });

  it('gives every key a different token', async () => {
    const session = await freshWorkspace();
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) tokens.add((await keys.create(session).expect(201)).body.token);
    expect(tokens.size).toBe(3);
    expect(await keys.list(session)).toHaveLength(3);
  });

  it('keeps an allowlist, an expiry and limits, and lists them as created (oldest key first)', async () => {
    const session = await freshWorkspace();
    const first = await createApp(t, session, { name: 'First', mode: 'chat' });
    const second = await createApp(t, session, { name: 'Second', mode: 'completion' });
    const everything = (await keys.create(session, { name: 'everything' }).expect(201)).body as WireKey;
    const expiresAt = inAnHour();
    const res = await keys
      .create(session, {
        name: 'limited',
        // Repeats count once; ids are compared and stored lower-cased, as app ids are.
        app_ids: [first.id, second.id.toUpperCase(), first.id],
        expires_at: expiresAt,
        rpm: 60,
        max_concurrent_requests: 2,
      })
      .expect(201);
    const limited = res.body as WireKey;
    expect(limited).toMatchObject({
      name: 'limited',
      app_ids: [first.id, second.id],
      expires_at: expiresAt,
      rpm: 60,
      max_concurrent_requests: 2,
    });
    const explicitNulls = await keys
      .create(session, { name: 'nulls', app_ids: null, expires_at: null, rpm: null, max_concurrent_requests: null })
      .expect(201);
    expect(explicitNulls.body).toMatchObject({
      app_ids: null,
      expires_at: null,
      rpm: null,
      max_concurrent_requests: null,
    });

    expect(await keys.list(session)).toEqual([masked(everything), masked(limited), masked(explicitNulls.body)]);
    const row = await keys.rows().findOneByOrFail({ id: limited.id });
    expect(row.appIds).toEqual([first.id, second.id]);
    expect(row.expiresAt?.getTime()).toBe(expiresAt * 1000);
  });

  it('refuses every invalid field with 400 invalid_param naming it, writing nothing', async () => {
    const app = await createApp(t, owner);
    const past = Math.floor(Date.now() / 1000) - 60;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'k', app_ids: [] }, 'app_ids'],
      [{ name: 'k', app_ids: app.id }, 'app_ids'],
      [{ name: 'k', app_ids: [42] }, 'app_ids.0'],
      [{ name: 'k', app_ids: [app.id, MISSING] }, 'app_ids'],
      [{ name: 'k', app_ids: ['not-a-uuid'] }, 'app_ids'],
      [{ name: 'k', expires_at: past }, 'expires_at'],
      [{ name: 'k', expires_at: 0 }, 'expires_at'],
      [{ name: 'k', expires_at: inAnHour() + 0.5 }, 'expires_at'],
      [{ name: 'k', expires_at: String(inAnHour()) }, 'expires_at'],
      [{ name: 'k', expires_at: 10 ** 12 }, 'expires_at'],
      [{ name: 'k', rpm: 0 }, 'rpm'],
      [{ name: 'k', rpm: -5 }, 'rpm'],
      [{ name: 'k', rpm: 1.5 }, 'rpm'],
      [{ name: 'k', rpm: '60' }, 'rpm'],
      [{ name: 'k', max_concurrent_requests: 0 }, 'max_concurrent_requests'],
      [{ name: 'k', max_concurrent_requests: 2.5 }, 'max_concurrent_requests'],
      [{ name: 'k', max_concurrent_requests: true }, 'max_concurrent_requests'],
    ];
    const before = await keys.rows().count();
    for (const [body, field] of cases) {
      const res = await keys.create(owner, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual({ code: 'invalid_param', message: expect.any(String), status: 400 });
      expect({ body, message: res.body.message }).toEqual({
        body,
        message: expect.stringMatching(new RegExp(`^${field}(:| is required)`)),
      });
    }
    const unknown = await keys.create(owner, { name: 'k', app_ids: [app.id, MISSING] }).expect(400);
    expect(unknown.body.message).toBe(`app_ids: "${MISSING}" is not an app of this workspace`);
    const past400 = await keys.create(owner, { name: 'k', expires_at: past }).expect(400);
    expect(past400.body.message).toContain('in the future');
    expect(await keys.rows().count()).toBe(before);
    expect(JSON.stringify(await auditOf('workspace.api_key_created'))).not.toContain('"name":"k"');
  });

  it("refuses another workspace's app in the allowlist", async () => {
    const stranger = await freshWorkspace();
    const theirs = await createApp(t, stranger);
    const ours = await createApp(t, owner);
    const before = await keys.rows().count();
    const res = await keys.create(owner, { name: 'k', app_ids: [ours.id, theirs.id] }).expect(400);
    expect(res.body).toEqual({
      code: 'invalid_param',
      message: `app_ids: "${theirs.id}" is not an app of this workspace`,
      status: 400,
    });
    expect(await keys.rows().count()).toBe(before);
    // And the other way round: their key cannot name our app.
    await keys.create(stranger, { name: 'k', app_ids: [ours.id] }).expect(400);
  });

  it('lets owners and admins manage keys, editors only read them, normal members not even that', async () => {
    const key = (await keys.create(owner, { name: 'roles' }).expect(201)).body as WireKey;

    const normalList = await request(t.baseUrl).get(KEYS).set(bearer(normal.access)).expect(403);
    expect(normalList.body.code).toBe('forbidden');
    expect((await keys.list(editor)).map((k) => k.id)).toContain(key.id);

    const before = await keys.rows().count();
    for (const session of [editor, normal]) {
      expect((await keys.create(session, { name: 'nope' }).expect(403)).body.code).toBe('forbidden');
      expect((await keys.remove(session, key.id).expect(403)).body.code).toBe('forbidden');
    }
    expect(await keys.rows().count()).toBe(before);

    await keys.create(admin, { name: 'by admin' }).expect(201);
    await keys.remove(admin, key.id).expect(204);
    expect(await keys.rows().countBy({ id: key.id })).toBe(0);
  });

  it('deletes a key (204); unknown, foreign and non-UUID ids are 404 and delete nothing', async () => {
    const first = (await keys.create(owner, { name: 'first' }).expect(201)).body as WireKey;
    const second = (await keys.create(owner, { name: 'second' }).expect(201)).body as WireKey;
    const stranger = await freshWorkspace();
    const theirs = (await keys.create(stranger, { name: 'theirs' }).expect(201)).body as WireKey;

    const res = await keys.remove(owner, first.id).expect(204);
    expect(res.text).toBe('');
    const ids = (await keys.list(owner)).map((k) => k.id);
    expect(ids).toContain(second.id);
    expect(ids).not.toContain(first.id);

    for (const [session, id] of [
      [owner, first.id],
      [owner, MISSING],
      [owner, 'not-a-uuid'],
      [owner, second.id.toUpperCase()],
      [owner, theirs.id],
      [stranger, second.id],
    ] as const) {
      const again = await keys.remove(session, id).expect(404);
      expect(again.body).toEqual({ code: 'not_found', message: 'API key not found.', status: 404 });
    }
    expect(await keys.rows().countBy({ id: second.id })).toBe(1);
    expect(await keys.rows().countBy({ id: theirs.id })).toBe(1);
    expect((await keys.list(stranger)).map((k) => k.id)).toEqual([theirs.id]);
  });

  it('audits creation and deletion with the token tail, never the token', async () => {
    const app = await createApp(t, owner);
    const expiresAt = inAnHour();
    const key = (
      await keys.create(admin, { name: 'audited', app_ids: [app.id], expires_at: expiresAt, rpm: 5 }).expect(201)
    ).body as WireKey;
    await keys.remove(owner, key.id).expect(204);

    const created = (await auditOf('workspace.api_key_created')).filter((e) => e.target_id === key.id);
    expect(created).toEqual([
      expect.objectContaining({
        actor_id: admin.accountId,
        actor_email: 'admin@example.com',
        target_type: 'workspace_api_key',
        target_id: key.id,
        metadata: {
          name: 'audited',
          token_tail: key.token.slice(-4),
          app_ids: [app.id],
          expires_at: expiresAt,
          rpm: 5,
          max_concurrent_requests: null,
        },
      }),
    ]);
    const deleted = (await auditOf('workspace.api_key_deleted')).filter((e) => e.target_id === key.id);
    expect(deleted).toEqual([
      expect.objectContaining({
        actor_id: owner.accountId,
        target_type: 'workspace_api_key',
        metadata: { name: 'audited', token_tail: key.token.slice(-4) },
      }),
    ]);
    expect(JSON.stringify([...created, ...deleted])).not.toContain(key.token.slice('sk-keel-'.length));
  });

  it('allows 50 keys per workspace; the 51st is max_keys_exceeded, also when requests race', async () => {
    const session = await freshWorkspace();
    const results = await Promise.all(Array.from({ length: 53 }, (_, i) => keys.create(session, { name: `k${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(50).fill(201), 400, 400, 400]);
    expect(results.find((r) => r.status === 400)!.body).toEqual({
      code: 'max_keys_exceeded',
      message: 'Cannot create more than 50 API keys for this workspace.',
      status: 400,
    });
    const { workspaceId } = await keys.rows().findOneByOrFail({ id: results.find((r) => r.status === 201)!.body.id });
    expect(await keys.rows().countBy({ workspaceId })).toBe(50);

    // Deleting one frees a place; the limit is per workspace.
    await keys.remove(session, (await keys.list(session))[0].id).expect(204);
    await keys.create(session).expect(201);
    await keys.create(session).expect(400);
    await keys.create(await freshWorkspace()).expect(201);
  });

  describe('resolve() for the /v1 side', () => {
    const service = () => t.app.get(WorkspaceApiKeysService);

    it('finds a key by its token, with its workspace; expired keys too', async () => {
      const key = (await keys.create(owner, { name: 'resolve', rpm: 7 }).expect(201)).body as WireKey;
      const found = await service().resolve(key.token);
      expect(found?.key).toMatchObject({ id: key.id, name: 'resolve', rpm: 7, appIds: null, expiresAt: null });
      expect(found?.key.createdAt).toBeInstanceOf(Date);
      expect(found?.workspace?.id).toBe(found?.key.workspaceId);

      // The caller decides what expiry means: the key comes back with its (past) expiry.
      const expiring = (await keys.create(owner, { name: 'expired', expires_at: inAnHour() }).expect(201))
        .body as WireKey;
      const past = new Date(Date.now() - 60_000);
      await keys.rows().update({ id: expiring.id }, { expiresAt: past });
      const expired = await service().resolve(expiring.token);
      expect(expired?.key.expiresAt?.getTime()).toBe(past.getTime());
    });

    it('answers undefined for unknown, malformed and over-long tokens', async () => {
      const key = (await keys.create(owner, { name: 'shape' }).expect(201)).body as WireKey;
      const body = key.token.slice('sk-keel-'.length);
      for (const token of [
        `sk-keel-${'A'.repeat(40)}`,
        body,
        `app-${body}`,
        `sk-${body}`,
        `SK-KEEL-${body}`,
        `${key.token} `,
        `${key.token}${'x'.repeat(200)}`,
        '',
      ]) {
        expect(await service().resolve(token)).toBeUndefined();
      }
      expect(await service().resolve(key.token)).toBeDefined();
    });

    it('stops resolving a key deleted through the console at once, though it was cached', async () => {
      const key = (await keys.create(owner, { name: 'cached' }).expect(201)).body as WireKey;
      const other = (await keys.create(owner, { name: 'stays' }).expect(201)).body as WireKey;
      expect((await service().resolve(key.token))?.key.id).toBe(key.id);
      expect((await service().resolve(other.token))?.key.id).toBe(other.id);
      await keys.remove(owner, key.id).expect(204);
      expect(await service().resolve(key.token)).toBeUndefined();
      expect((await service().resolve(other.token))?.key.id).toBe(other.id);
    });

    it('records use at most once a minute per key, shown as last_used_at', async () => {
      const key = (await keys.create(owner, { name: 'touched' }).expect(201)).body as WireKey;
      service().touch(key.id);
      await eventually(async () => (await keys.rows().findOneByOrFail({ id: key.id })).lastUsedAt !== null, 'touch');
      const first = (await keys.rows().findOneByOrFail({ id: key.id })).lastUsedAt!;
      service().touch(key.id);
      await new Promise((r) => setTimeout(r, 50));
      expect((await keys.rows().findOneByOrFail({ id: key.id })).lastUsedAt).toEqual(first);
      const listed = (await keys.list(owner)).find((k) => k.id === key.id);
      expect(listed?.last_used_at).toBe(Math.floor(first.getTime() / 1000));
    });
  });
});

/** The migration, the row lock behind the limit, JSON and datetime columns and the prepared lookup on the servers. */
function keysOn(kind: TestDatabaseKind) {
  let db: TestDatabase;
  let t: TestApp;
  let owner: Session;
  const keys = keyRoutes(() => t);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await bootTestApp(db.env);
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('creates with every field, lists, resolves, holds the limit under a race, deletes', async () => {
    const app = await createApp(t, owner);
    const expiresAt = inAnHour();
    const full = (
      await keys
        .create(owner, { name: 'full', app_ids: [app.id], expires_at: expiresAt, rpm: 30, max_concurrent_requests: 3 })
        .expect(201)
    ).body as WireKey;
    expect(full).toMatchObject({ app_ids: [app.id], expires_at: expiresAt, rpm: 30, max_concurrent_requests: 3 });
    expect(await keys.list(owner)).toEqual([masked(full)]);
    await keys.create(owner, { name: 'other', app_ids: [MISSING] }).expect(400);

    const service = t.app.get(WorkspaceApiKeysService);
    const found = await service.resolve(full.token);
    expect(found?.key).toMatchObject({ id: full.id, appIds: [app.id], rpm: 30, maxConcurrentRequests: 3 });
    expect(found?.key.expiresAt?.getTime()).toBe(expiresAt * 1000);
    expect(found?.workspace?.id).toBe(found?.key.workspaceId);
    expect(await service.resolve(`sk-keel-${'B'.repeat(40)}`)).toBeUndefined();

    const results = await Promise.all(Array.from({ length: 52 }, (_, i) => keys.create(owner, { name: `race ${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(49).fill(201), 400, 400, 400]);
    expect(await keys.rows().count()).toBe(50);

    await keys.remove(owner, full.id).expect(204);
    expect(await service.resolve(full.token)).toBeUndefined();
    expect(await keys.rows().count()).toBe(49);
  });

  it('reverts and re-applies the migration', async () => {
    const ds = t.app.get(DataSource);
    const has = async () => {
      const runner = ds.createQueryRunner();
      try {
        return await runner.hasTable('workspace_api_keys');
      } finally {
        await runner.release();
      }
    };
    // Undo the later migrations too, down to (and including) this one.
    for (;;) {
      const [last]: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id DESC');
      await ds.undoLastMigration({ transaction: 'each' });
      if (last.name === 'WorkspaceApiKeys1764300000000') break;
    }
    expect(await has()).toBe(false);
    await ds.runMigrations({ transaction: 'each' });
    expect(await has()).toBe(true);
    expect(await ds.showMigrations()).toBe(false);
  });
}

describeWith('postgres', 'workspace API keys on PostgreSQL', () => keysOn('postgres'));
describeWith('mariadb', 'workspace API keys on MariaDB', () => keysOn('mariadb'));
describe('workspace API keys on a fresh SQLite file', () => keysOn('sqlite'));
