import request from 'supertest';
import { addMember, bearer, login, OWNER, setupOwner } from '../support/console';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/** The console's migration and queries on the production databases, end to end. */
function consoleOn(kind: TestDatabaseKind) {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await bootTestApp(db.env);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sets up once, signs in, rotates, invites, activates and audits', async () => {
    const owner = await setupOwner(t);
    await request(t.baseUrl).post('/console/api/setup').send(OWNER).expect(403);
    await request(t.baseUrl)
      .post('/console/api/login')
      .send({ email: OWNER.email, password: 'wrong-pass-1' })
      .expect(401);

    const rotated = await request(t.baseUrl)
      .post('/console/api/refresh-token')
      .send({ refresh_token: owner.refresh })
      .expect(200);
    await request(t.baseUrl).post('/console/api/refresh-token').send({ refresh_token: owner.refresh }).expect(401);
    await request(t.baseUrl)
      .post('/console/api/refresh-token')
      .send({ refresh_token: rotated.body.data.refresh_token })
      .expect(401);

    const editor = await addMember(t, owner, 'editor@example.com', 'editor');
    const current = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set(bearer(editor.access))
      .expect(200);
    expect(current.body.role).toBe('editor');
    await login(t, 'editor@example.com', editor.password);

    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(owner.access))
      .expect(200);
    expect((members.body.accounts as Array<{ role: string }>).map((m) => m.role).sort()).toEqual(['editor', 'owner']);

    await request(t.baseUrl)
      .put(`/console/api/workspaces/current/members/${editor.accountId}/update-role`)
      .set(bearer(owner.access))
      .send({ role: 'admin' })
      .expect(200);
    const logs = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?limit=100')
      .set(bearer(owner.access))
      .expect(200);
    const actions = (logs.body.data as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'workspace.setup',
        'account.login',
        'account.login_failed',
        'member.invited',
        'member.role_changed',
      ]),
    );
    // Newest first, with millisecond timestamps kept in order.
    expect(actions[0]).toBe('member.role_changed');
    const changed = (logs.body.data as Array<{ action: string; metadata: unknown }>).find(
      (e) => e.action === 'member.role_changed',
    );
    expect(changed?.metadata).toEqual({ from: 'editor', to: 'admin' });
  });
}

describeWith('postgres', 'console accounts on PostgreSQL', () => consoleOn('postgres'));
describeWith('mariadb', 'console accounts on MariaDB', () => consoleOn('mariadb'));
