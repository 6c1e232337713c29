import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppApiKey } from '../../src/modules/apps/app-api-key.entity';
import { addMember, bearer, login, type Session, seedWorkspace, setupOwner } from '../support/console';
import { createApp, type WireApp } from '../support/console-apps';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const APPS = '/console/api/apps';
const MISSING = '00000000-0000-4000-8000-000000000000';

interface WireKey {
  id: string;
  type: string;
  token: string;
  last_used_at: number | null;
  created_at: number;
}

/** App API keys in the console: shown whole once, stored hashed, at most ten, scoped to app and workspace. */
describe('app API keys', () => {
  let t: TestApp;
  let owner: Session;
  let admin: Session;
  let editor: Session;
  let normal: Session;

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

  const keysPath = (appId: string) => `${APPS}/${appId}/api-keys`;
  const createKey = (session: Session, appId: string) =>
    request(t.baseUrl).post(keysPath(appId)).set(bearer(session.access));
  const listKeys = async (session: Session, appId: string) =>
    (await request(t.baseUrl).get(keysPath(appId)).set(bearer(session.access)).expect(200)).body.data as WireKey[];
  const deleteKey = (session: Session, appId: string, keyId: string) =>
    request(t.baseUrl)
      .delete(`${keysPath(appId)}/${keyId}`)
      .set(bearer(session.access));
  const rows = () => t.app.get(DataSource).getRepository(AppApiKey);

  it('creates a key, answering the whole key once; lists show it masked; the table keeps only its hash', async () => {
    const app = await createApp(t, owner);
    const res = await createKey(editor, app.id).expect(201);
    const created = res.body as WireKey;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'app',
      token: expect.stringMatching(/^app-[A-Za-z0-9]{24}$/),
      last_used_at: null,
      created_at: expect.any(Number),
    });
    expect(Number.isInteger(created.created_at)).toBe(true);

    const listed = await listKeys(normal, app.id);
    expect(listed).toEqual([{ ...created, token: `app-****${created.token.slice(-4)}` }]);

    const row = await rows().findOneByOrFail({ id: created.id });
    expect(row.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row.tokenTail).toBe(created.token.slice(-4));
    const secret = created.token.slice(4);
    const raw = await t.app.get(DataSource).query('SELECT * FROM app_api_keys');
    expect(JSON.stringify(raw)).not.toContain(secret);
    const audit = await t.app.get(DataSource).query('SELECT * FROM audit_logs');
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(t.logs())).not.toContain(secret);
  });

  it('gives every key a different token', async () => {
    const app = await createApp(t, owner);
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) tokens.add((await createKey(owner, app.id).expect(201)).body.token);
    expect(tokens.size).toBe(3);
    expect(await listKeys(owner, app.id)).toHaveLength(3);
  });

  it('allows ten keys per app; the eleventh is max_keys_exceeded', async () => {
    const app = await createApp(t, owner);
    for (let i = 0; i < 10; i++) await createKey(owner, app.id).expect(201);
    const res = await createKey(owner, app.id).expect(400);
    expect(res.body).toEqual({
      code: 'max_keys_exceeded',
      message: 'Cannot create more than 10 API keys for this resource type.',
      status: 400,
    });
    expect(await rows().countBy({ appId: app.id })).toBe(10);
    // The limit is per app.
    const other = await createApp(t, owner);
    await createKey(owner, other.id).expect(201);
  });

  it('holds the limit when requests race', async () => {
    const app = await createApp(t, owner);
    const results = await Promise.all(Array.from({ length: 12 }, () => createKey(owner, app.id)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(10).fill(201), 400, 400]);
    expect(await rows().countBy({ appId: app.id })).toBe(10);
  });

  it('deletes a key (204), after which it is gone; deleting again is 404; audited without the key', async () => {
    const app = await createApp(t, owner);
    const first = (await createKey(owner, app.id).expect(201)).body as WireKey;
    const second = (await createKey(owner, app.id).expect(201)).body as WireKey;

    const res = await deleteKey(admin, app.id, first.id).expect(204);
    expect(res.text).toBe('');
    expect((await listKeys(owner, app.id)).map((k) => k.id)).toEqual([second.id]);
    expect(await rows().countBy({ id: first.id })).toBe(0);
    const again = await deleteKey(owner, app.id, first.id).expect(404);
    expect(again.body).toMatchObject({ code: 'not_found', message: 'API key not found.' });

    const audit = async (action: string) =>
      (
        await request(t.baseUrl)
          .get(`/console/api/workspaces/current/audit-logs?action=${action}`)
          .set(bearer(owner.access))
          .expect(200)
      ).body.data as Array<Record<string, unknown>>;
    expect(await audit('app.api_key_deleted')).toEqual([
      expect.objectContaining({
        actor_id: admin.accountId,
        target_type: 'app_api_key',
        target_id: first.id,
        metadata: { app_id: app.id, token_tail: first.token.slice(-4) },
      }),
    ]);
    const created = await audit('app.api_key_created');
    expect(created).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target_id: first.id }),
        expect.objectContaining({ target_id: second.id }),
      ]),
    );
    expect(JSON.stringify(created)).not.toContain(first.token.slice(4));
  });

  it('takes a deleted key, a disabled API and a deleted app out of /v1 at once, though keys are cached', async () => {
    const app = await createApp(t, owner);
    const meta = (token: string) => request(t.baseUrl).get('/v1/meta').set('Authorization', `Bearer ${token}`);
    const first = (await createKey(owner, app.id).expect(201)).body as WireKey;
    const second = (await createKey(owner, app.id).expect(201)).body as WireKey;
    await meta(first.token).expect(200);
    await meta(second.token).expect(200);

    await deleteKey(owner, app.id, first.id).expect(204);
    expect((await meta(first.token).expect(401)).body.message).toBe('Access token is invalid');
    await meta(second.token).expect(200);

    const api = (enable: boolean) =>
      request(t.baseUrl)
        .post(`${APPS}/${app.id}/api-enable`)
        .set(bearer(owner.access))
        .send({ enable_api: enable })
        .expect(200);
    await api(false);
    expect((await meta(second.token).expect(403)).body.code).toBe('app_api_disabled');
    await api(true);
    await meta(second.token).expect(200);

    await request(t.baseUrl).delete(`${APPS}/${app.id}`).set(bearer(owner.access)).expect(204);
    await meta(second.token).expect(401);
  });

  it('answers 404 for another app’s key and for ids that are not UUIDs, deleting nothing', async () => {
    const app = await createApp(t, owner);
    const other = await createApp(t, owner);
    const key = (await createKey(owner, other.id).expect(201)).body as WireKey;
    for (const [appId, keyId] of [
      [app.id, key.id],
      [app.id, 'not-a-uuid'],
      [app.id, MISSING],
      ['not-a-uuid', key.id],
      [MISSING, key.id],
    ]) {
      const res = await deleteKey(owner, appId, keyId).expect(404);
      expect(res.body.code).toBe('not_found');
    }
    expect(await rows().countBy({ id: key.id })).toBe(1);
    for (const appId of ['not-a-uuid', MISSING]) {
      const list = await request(t.baseUrl).get(keysPath(appId)).set(bearer(owner.access)).expect(404);
      expect(list.body).toMatchObject({ code: 'not_found', message: 'App not found.' });
      await createKey(owner, appId).expect(404);
    }
  });

  it('lets editors create keys, owners and admins delete them (as Dify), normal members only read', async () => {
    const app = await createApp(t, owner);
    const key = (await createKey(editor, app.id).expect(201)).body as WireKey;

    const normalCreate = await createKey(normal, app.id).expect(403);
    expect(normalCreate.body.code).toBe('forbidden');
    await deleteKey(normal, app.id, key.id).expect(403);
    await deleteKey(editor, app.id, key.id).expect(403);
    expect(await rows().countBy({ appId: app.id })).toBe(1);
    expect(await listKeys(normal, app.id)).toHaveLength(1);

    await deleteKey(owner, app.id, key.id).expect(204);
    expect(await rows().countBy({ appId: app.id })).toBe(0);
  });

  it('keeps another workspace out: every key route answers 404 and nothing changes', async () => {
    const app: WireApp = await createApp(t, owner);
    const key = (await createKey(owner, app.id).expect(201)).body as WireKey;
    await seedWorkspace(t, 'stranger@example.com', 'stranger-pass-1');
    const stranger = await login(t, 'stranger@example.com', 'stranger-pass-1');

    for (const attempt of [
      request(t.baseUrl).get(keysPath(app.id)).set(bearer(stranger.access)),
      createKey(stranger, app.id),
      deleteKey(stranger, app.id, key.id),
    ]) {
      const res = await attempt.expect(404);
      expect(res.body).toMatchObject({ code: 'not_found', message: 'App not found.' });
    }
    // Their own app's path with our key id: still not theirs.
    const theirs = await createApp(t, stranger);
    const res = await deleteKey(stranger, theirs.id, key.id).expect(404);
    expect(res.body).toMatchObject({ code: 'not_found', message: 'API key not found.' });
    expect(await rows().countBy({ appId: app.id })).toBe(1);
    expect(await rows().countBy({ appId: theirs.id })).toBe(0);
  });
});

/** The limit under concurrency relies on a row lock on the servers (SQLite runs transactions one at a time). */
function keysOn(kind: TestDatabaseKind) {
  let db: TestDatabase;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await bootTestApp(db.env);
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('holds the ten-key limit when requests race, lists masked, deletes', async () => {
    const app = await createApp(t, owner);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => request(t.baseUrl).post(`${APPS}/${app.id}/api-keys`).set(bearer(owner.access))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), 400, 400]);
    const repo = t.app.get(DataSource).getRepository(AppApiKey);
    expect(await repo.countBy({ appId: app.id })).toBe(10);

    const created = results.find((r) => r.status === 201)!.body as WireKey;
    const list = await request(t.baseUrl).get(`${APPS}/${app.id}/api-keys`).set(bearer(owner.access)).expect(200);
    expect(list.body.data).toEqual(
      expect.arrayContaining([{ ...created, token: `app-****${created.token.slice(-4)}` }]),
    );
    await request(t.baseUrl).delete(`${APPS}/${app.id}/api-keys/${created.id}`).set(bearer(owner.access)).expect(204);
    expect(await repo.countBy({ appId: app.id })).toBe(9);
  });
}

describeWith('postgres', 'app API keys on PostgreSQL', () => keysOn('postgres'));
describeWith('mariadb', 'app API keys on MariaDB', () => keysOn('mariadb'));
