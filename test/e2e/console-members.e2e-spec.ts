import request from 'supertest';
import { DataSource } from 'typeorm';
import { WorkspaceMember } from '../../src/modules/workspaces/workspace-member.entity';
import { addMember, bearer, login, OWNER, type Session, seedWorkspace, setupOwner } from '../support/console';
import { SmtpSink } from '../support/smtp-sink';
import { bootTestApp, type TestApp } from '../support/test-app';

describe('invitations through a real SMTP server (smtp-server on loopback)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await bootTestApp({
      MAIL_DRIVER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      CONSOLE_WEB_URL: 'https://console.example.com',
    });
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const members = async () =>
    (await request(t.baseUrl).get('/console/api/workspaces/current/members').set(bearer(owner.access)).expect(200)).body
      .accounts as Array<{ id: string; email: string; role: string; status: string }>;

  it('mails an activation link; the link activates the member with the invited role', async () => {
    const invite = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(owner.access))
      .send({ emails: ['Eddie@Example.com'], role: 'editor' })
      .expect(201);
    expect(invite.body).toMatchObject({
      result: 'success',
      invitation_results: [{ status: 'success', email: 'eddie@example.com', url: expect.any(String) }],
    });
    expect(await members()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'eddie@example.com', role: 'editor', status: 'pending' }),
      ]),
    );

    const mail = await smtp.waitFor((m) => SmtpSink.recipientOf(m) === 'eddie@example.com');
    expect(mail.subject).toBe("Olive Owner invited you to Olive Owner's Workspace on Keel");
    const href = /https:\/\/console\.example\.com\/activate\?\S+/.exec(mail.text ?? '')?.[0];
    expect(href).toBeDefined();
    const link = new URL(href!);
    expect(link.searchParams.get('email')).toBe('eddie@example.com');
    const token = link.searchParams.get('token')!;
    const workspaceId = link.searchParams.get('workspace_id')!;

    const check = await request(t.baseUrl)
      .get('/console/api/activate/check')
      .query({ workspace_id: workspaceId, email: 'eddie@example.com', token })
      .expect(200);
    expect(check.body).toEqual({
      is_valid: true,
      data: { workspace_name: "Olive Owner's Workspace", workspace_id: workspaceId, email: 'eddie@example.com' },
    });
    // A pending invitee cannot sign in yet.
    await request(t.baseUrl)
      .post('/console/api/login')
      .send({ email: 'eddie@example.com', password: 'x1234567' })
      .expect(401);

    const weak = await request(t.baseUrl)
      .post('/console/api/activate')
      .send({ workspace_id: workspaceId, email: 'eddie@example.com', token, name: 'Eddie', password: 'short' })
      .expect(400);
    expect(weak.body.code).toBe('invalid_param');

    const activated = await request(t.baseUrl)
      .post('/console/api/activate')
      .send({ workspace_id: workspaceId, email: 'eddie@example.com', token, name: 'Eddie', password: 'eddie-pass-1' })
      .expect(200);
    expect(activated.body.data).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
    const current = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set(bearer(activated.body.data.access_token))
      .expect(200);
    expect(current.body).toMatchObject({ id: workspaceId, role: 'editor' });
    expect(await members()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'eddie@example.com', name: 'Eddie', role: 'editor', status: 'active' }),
      ]),
    );
    await login(t, 'eddie@example.com', 'eddie-pass-1');

    // The link is single-use.
    const reused = await request(t.baseUrl)
      .post('/console/api/activate')
      .send({
        workspace_id: workspaceId,
        email: 'eddie@example.com',
        token,
        name: 'Mallory',
        password: 'mallory-pass-1',
      })
      .expect(403);
    expect(reused.body.code).toBe('already_activate');
    const stale = await request(t.baseUrl).get('/console/api/activate/check').query({ token }).expect(200);
    expect(stale.body).toEqual({ is_valid: false, data: null });
  });

  it('reports an address that is already a member as failed, and others as sent', async () => {
    const res = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(owner.access))
      .send({ emails: ['eddie@example.com', 'nora@example.com'], role: 'normal' })
      .expect(201);
    expect(res.body.invitation_results).toEqual([
      { status: 'failed', email: 'eddie@example.com', message: 'The account is already a member of this workspace.' },
      { status: 'success', email: 'nora@example.com', url: expect.stringContaining('/activate?') },
    ]);
    expect((await members()).find((m) => m.email === 'eddie@example.com')?.role).toBe('editor');
  });

  it('keeps every invitation when many run at once and some fail (transactions do not mix)', async () => {
    const emails = Array.from({ length: 8 }, (_, i) => `burst${i}@example.com`);
    const calls = emails.map((email, i) =>
      request(t.baseUrl)
        .post('/console/api/workspaces/current/members/invite-email')
        .set(bearer(owner.access))
        // Every other call also names an existing member, whose transaction rolls back.
        .send({ emails: i % 2 ? [email, 'eddie@example.com'] : [email], role: 'normal' }),
    );
    const results = await Promise.all(calls);
    for (const res of results) expect(res.status).toBe(201);
    const listed = (await members()).map((m) => m.email);
    expect(listed).toEqual(expect.arrayContaining(emails));
    expect(listed).toContain(OWNER.email);
  });

  it('refuses bad invitations with invalid_param and writes nothing', async () => {
    const before = await members();
    for (const body of [
      { emails: ['ok@example.com', 'not-an-address'], role: 'editor' },
      { emails: ['ok@example.com'], role: 'owner' },
      { emails: ['ok@example.com'], role: 'superuser' },
      { emails: [], role: 'editor' },
      { emails: 'ok@example.com', role: 'editor' },
    ]) {
      const res = await request(t.baseUrl)
        .post('/console/api/workspaces/current/members/invite-email')
        .set(bearer(owner.access))
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('invalid_param');
    }
    expect(await members()).toEqual(before);
  });

  it('removes a member, and refuses to remove oneself or an unknown id', async () => {
    const nora = (await members()).find((m) => m.email === 'nora@example.com')!;
    await request(t.baseUrl)
      .delete(`/console/api/workspaces/current/members/${nora.id}`)
      .set(bearer(owner.access))
      .expect(200);
    expect((await members()).some((m) => m.email === 'nora@example.com')).toBe(false);
    const self = await request(t.baseUrl)
      .delete(`/console/api/workspaces/current/members/${owner.accountId}`)
      .set(bearer(owner.access))
      .expect(400);
    expect(self.body.code).toBe('cannot_operate_self');
    const unknown = await request(t.baseUrl)
      .delete('/console/api/workspaces/current/members/00000000-0000-4000-8000-000000000000')
      .set(bearer(owner.access))
      .expect(404);
    expect(unknown.body.code).toBe('not_found');
  });

  it('records invitations and removals in the audit log', async () => {
    const res = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?action=member.invited&limit=100')
      .set(bearer(owner.access))
      .expect(200);
    // One entry per invitation that went out (eddie, nora, eight at once); refused ones are not logged.
    expect(res.body.total).toBe(10);
    const invited = (res.body.data as Array<{ metadata: { email: string } }>).map((e) => e.metadata.email);
    expect(invited).toEqual(expect.arrayContaining(['eddie@example.com', 'nora@example.com', 'burst7@example.com']));
    expect(res.body.data[0]).toMatchObject({ actor_id: owner.accountId, target_type: 'account' });
    const removed = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?action=member.removed')
      .set(bearer(owner.access))
      .expect(200);
    expect(removed.body.data).toEqual([expect.objectContaining({ metadata: { role: 'normal' } })]);
  });
});

describe('role matrix: each role on each guarded console route', () => {
  let t: TestApp;
  let owner: Session;
  const sessions: Record<string, Session> = {};
  let spare = 0;

  beforeAll(async () => {
    t = await bootTestApp();
    owner = await setupOwner(t);
    sessions.owner = owner;
    for (const role of ['admin', 'editor', 'normal', 'dataset_operator'] as const) {
      sessions[role] = await addMember(t, owner, `${role}@example.com`, role);
    }
  });

  afterAll(() => t.close());

  /** A member nobody minds losing or re-roling. */
  const spareMember = async () => addMember(t, owner, `spare${++spare}@example.com`, 'normal');

  const ROLES = ['owner', 'admin', 'editor', 'normal', 'dataset_operator'] as const;
  const privileged = new Set(['owner', 'admin']);

  it.each(ROLES)('%s: reads workspaces, the current workspace and its members', async (role) => {
    const s = sessions[role];
    const list = await request(t.baseUrl).get('/console/api/workspaces').set(bearer(s.access)).expect(200);
    expect(list.body.workspaces).toHaveLength(1);
    const current = await request(t.baseUrl).get('/console/api/workspaces/current').set(bearer(s.access)).expect(200);
    expect(current.body.role).toBe(role);
    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(s.access))
      .expect(200);
    expect(members.body.accounts.length).toBeGreaterThanOrEqual(5);
  });

  it.each(ROLES)('%s: renames the workspace only if owner or admin', async (role) => {
    const res = await request(t.baseUrl)
      .post('/console/api/workspaces/current/name')
      .set(bearer(sessions[role].access))
      .send({ name: `Renamed by ${role}` });
    if (privileged.has(role)) {
      expect(res.status).toBe(200);
      expect(res.body.tenant.name).toBe(`Renamed by ${role}`);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
  });

  it.each(ROLES)('%s: invites only if owner or admin', async (role) => {
    const res = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(sessions[role].access))
      .send({ emails: [`invited-by-${role}@example.com`], role: 'normal' });
    expect(res.status).toBe(privileged.has(role) ? 201 : 403);
    if (!privileged.has(role)) expect(res.body.code).toBe('forbidden');
  });

  it.each(ROLES)('%s: reads the audit log only if owner or admin', async (role) => {
    const res = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs')
      .set(bearer(sessions[role].access));
    expect(res.status).toBe(privileged.has(role) ? 200 : 403);
  });

  it.each(ROLES)('%s: changes roles only if owner', async (role) => {
    const target = await spareMember();
    const res = await request(t.baseUrl)
      .put(`/console/api/workspaces/current/members/${target.accountId}/update-role`)
      .set(bearer(sessions[role].access))
      .send({ role: 'editor' });
    expect(res.status).toBe(role === 'owner' ? 200 : 403);
    const current = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set(bearer(target.access))
      .expect(200);
    expect(current.body.role).toBe(role === 'owner' ? 'editor' : 'normal');
  });

  it.each(ROLES)('%s: removes members only if owner', async (role) => {
    const target = await spareMember();
    const res = await request(t.baseUrl)
      .delete(`/console/api/workspaces/current/members/${target.accountId}`)
      .set(bearer(sessions[role].access));
    expect(res.status).toBe(role === 'owner' ? 200 : 403);
    const after = await request(t.baseUrl).get('/console/api/workspaces/current').set(bearer(target.access));
    // A removed member belongs to no workspace any more.
    expect(after.status).toBe(role === 'owner' ? 403 : 200);
  });

  it.each(ROLES)('%s: transfers ownership only if owner (checked before the password)', async (role) => {
    const res = await request(t.baseUrl)
      .post(`/console/api/workspaces/current/members/${sessions.admin.accountId}/owner-transfer`)
      .set(bearer(sessions[role].access))
      .send({ password: 'wrong-password-1' });
    if (role === 'owner') expect(res.body.code).toBe('current_password_incorrect');
    else expect(res.status).toBe(403);
  });

  it('refuses an unauthenticated caller with 401 on every guarded route, before any role check', async () => {
    const id = sessions.normal.accountId;
    const calls = [
      request(t.baseUrl).post('/console/api/workspaces/current/name').send({ name: 'x' }),
      request(t.baseUrl)
        .post('/console/api/workspaces/current/members/invite-email')
        .send({ emails: ['a@b.co'], role: 'normal' }),
      request(t.baseUrl).get('/console/api/workspaces/current/audit-logs'),
      request(t.baseUrl).put(`/console/api/workspaces/current/members/${id}/update-role`).send({ role: 'admin' }),
      request(t.baseUrl).delete(`/console/api/workspaces/current/members/${id}`),
      request(t.baseUrl).post(`/console/api/workspaces/current/members/${id}/owner-transfer`).send({ password: 'x' }),
      request(t.baseUrl).get('/console/api/workspaces'),
      request(t.baseUrl).post('/console/api/workspaces/switch').send({ tenant_id: 'x' }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
  });

  it('keeps exactly one owner: owner roles cannot be assigned, and a transfer swaps owner and admin', async () => {
    const asOwner = await request(t.baseUrl)
      .put(`/console/api/workspaces/current/members/${sessions.admin.accountId}/update-role`)
      .set(bearer(owner.access))
      .send({ role: 'owner' })
      .expect(400);
    expect(asOwner.body.code).toBe('invalid_param');

    await request(t.baseUrl)
      .post(`/console/api/workspaces/current/members/${sessions.admin.accountId}/owner-transfer`)
      .set(bearer(owner.access))
      .send({ password: OWNER.password })
      .expect(200);
    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(owner.access))
      .expect(200);
    const roles = (members.body.accounts as Array<{ id: string; role: string }>).filter((m) => m.role === 'owner');
    expect(roles).toEqual([expect.objectContaining({ id: sessions.admin.accountId })]);
    const former = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set(bearer(owner.access))
      .expect(200);
    expect(former.body.role).toBe('admin');
    // The former owner lost the owner-only routes.
    await request(t.baseUrl)
      .put(`/console/api/workspaces/current/members/${sessions.normal.accountId}/update-role`)
      .set(bearer(owner.access))
      .send({ role: 'editor' })
      .expect(403);
  });
});

describe('workspace isolation: ids of another workspace are not found', () => {
  let t: TestApp;
  let ownerA: Session;
  let ownerB: Session;
  let memberB: Session;
  let workspaceB: string;
  let inviteB: URL;

  beforeAll(async () => {
    t = await bootTestApp();
    ownerA = await setupOwner(t);
    await addMember(t, ownerA, 'member-a@example.com', 'normal');
    ({ workspaceId: workspaceB } = await seedWorkspace(t, 'owner-b@example.com', 'owner-b-pass-1'));
    ownerB = await login(t, 'owner-b@example.com', 'owner-b-pass-1');
    memberB = await addMember(t, ownerB, 'member-b@example.com', 'editor');
    const pending = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(ownerB.access))
      .send({ emails: ['pending-b@example.com'], role: 'normal' })
      .expect(201);
    inviteB = new URL(pending.body.invitation_results[0].url);
  });

  afterAll(() => t.close());

  it('answers 404 on every member route for members of the other workspace, and changes nothing', async () => {
    for (const target of [memberB.accountId, ownerB.accountId]) {
      const calls = [
        request(t.baseUrl)
          .put(`/console/api/workspaces/current/members/${target}/update-role`)
          .set(bearer(ownerA.access))
          .send({ role: 'admin' }),
        request(t.baseUrl).delete(`/console/api/workspaces/current/members/${target}`).set(bearer(ownerA.access)),
        request(t.baseUrl)
          .post(`/console/api/workspaces/current/members/${target}/owner-transfer`)
          .set(bearer(ownerA.access))
          .send({ password: OWNER.password }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
    const rows = await t.app.get(DataSource).getRepository(WorkspaceMember).findBy({ workspaceId: workspaceB });
    expect(rows.map((r) => r.role).sort()).toEqual(['editor', 'normal', 'owner']);
  });

  it('answers 404 when switching to the other workspace', async () => {
    const res = await request(t.baseUrl)
      .post('/console/api/workspaces/switch')
      .set(bearer(ownerA.access))
      .send({ tenant_id: workspaceB })
      .expect(404);
    expect(res.body.code).toBe('not_found');
    const list = await request(t.baseUrl).get('/console/api/workspaces').set(bearer(ownerA.access)).expect(200);
    expect((list.body.workspaces as Array<{ id: string }>).map((w) => w.id)).not.toContain(workspaceB);
  });

  it('lists only the own workspace in members and audit log, whatever the filter', async () => {
    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(ownerA.access))
      .expect(200);
    expect((members.body.accounts as Array<{ email: string }>).map((m) => m.email).sort()).toEqual([
      'member-a@example.com',
      OWNER.email,
    ]);
    const logs = await request(t.baseUrl)
      .get(`/console/api/workspaces/current/audit-logs?actor_id=${ownerB.accountId}`)
      .set(bearer(ownerA.access))
      .expect(200);
    expect(logs.body).toMatchObject({ data: [], total: 0 });
    const own = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?limit=100')
      .set(bearer(ownerB.access))
      .expect(200);
    expect(own.body.total).toBeGreaterThan(0);
  });

  it("does not accept the other workspace's invitation under this workspace's id", async () => {
    const list = await request(t.baseUrl).get('/console/api/workspaces').set(bearer(ownerA.access)).expect(200);
    const workspaceA = (list.body.workspaces as Array<{ id: string }>)[0].id;
    const token = inviteB.searchParams.get('token')!;
    const check = await request(t.baseUrl)
      .get('/console/api/activate/check')
      .query({ workspace_id: workspaceA, token })
      .expect(200);
    expect(check.body.is_valid).toBe(false);
    await request(t.baseUrl)
      .post('/console/api/activate')
      .send({ workspace_id: workspaceA, token, name: 'Sneaky', password: 'sneaky-pass-1' })
      .expect(403);
  });

  it('lets a member of both workspaces switch, and then act only in the one switched to', async () => {
    const both = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(ownerB.access))
      .send({ emails: [OWNER.email], role: 'admin' })
      .expect(201);
    expect(both.body.invitation_results[0].status).toBe('success');
    const list = await request(t.baseUrl).get('/console/api/workspaces').set(bearer(ownerA.access)).expect(200);
    expect(list.body.workspaces).toHaveLength(2);
    const switched = await request(t.baseUrl)
      .post('/console/api/workspaces/switch')
      .set(bearer(ownerA.access))
      .send({ tenant_id: workspaceB })
      .expect(200);
    expect(switched.body.new_tenant).toMatchObject({ id: workspaceB, role: 'admin' });
    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(ownerA.access))
      .expect(200);
    expect((members.body.accounts as Array<{ email: string }>).map((m) => m.email)).toContain('member-b@example.com');
    // An admin in B now: B's owner-only routes are forbidden.
    await request(t.baseUrl)
      .delete(`/console/api/workspaces/current/members/${memberB.accountId}`)
      .set(bearer(ownerA.access))
      .expect(403);
  });
});
