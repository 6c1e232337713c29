import { createHmac } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { SecretKeys } from '../../src/common/crypto/secret-keys';
import { bearer, jwtPayload, login, OWNER, type Session, setupOwner } from '../support/console';
import { bootTestApp, type TestApp } from '../support/test-app';

describe('console password login, tokens and account', () => {
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    t = await bootTestApp({ TRUST_PROXY: 'true' });
    owner = await setupOwner(t);
  });

  afterAll(() => t.close());

  const post = (path: string, body?: object, token?: string) => {
    const req = request(t.baseUrl).post(`/console/api${path}`);
    if (token) void req.set(bearer(token));
    return body ? req.send(body) : req;
  };

  it('signs in with 200 and a Dify console passport (HS256, user id, ~60 min)', async () => {
    const res = await post('/login', { email: 'OWNER@example.com ', password: OWNER.password }).expect(200);
    expect(res.body).toEqual({
      result: 'success',
      data: { access_token: expect.any(String), refresh_token: expect.stringMatching(/^[0-9a-f]{128}$/) },
    });
    const header = JSON.parse(
      Buffer.from((res.body.data.access_token as string).split('.')[0], 'base64url').toString(),
    );
    expect(header.alg).toBe('HS256');
    const claims = jwtPayload(res.body.data.access_token);
    expect(claims).toMatchObject({ user_id: owner.accountId, sub: 'Console API Passport', iss: 'SELF_HOSTED', ver: 0 });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
  });

  it('answers wrong password and unknown email alike: 401 authentication_failed', async () => {
    const wrong = await post('/login', { email: OWNER.email, password: 'not-the-password-1' }).expect(401);
    const unknown = await post('/login', { email: 'ghost@example.com', password: OWNER.password }).expect(401);
    expect(wrong.body).toEqual({ code: 'authentication_failed', message: 'Invalid email or password.', status: 401 });
    expect(unknown.body).toEqual(wrong.body);
    const bad = await post('/login', { email: 'nope', password: 'x' }).expect(400);
    expect(bad.body.code).toBe('invalid_param');
  });

  it('rejects tampered, foreign-key and malformed access tokens with 401 unauthorized', async () => {
    const [h, p] = owner.access.split('.');
    const forged = `${h}.${p}.${createHmac('sha256', 'another-key').update(`${h}.${p}`).digest('base64url')}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    for (const header of [
      `Bearer ${forged}`,
      `Bearer ${none}`,
      `Bearer ${owner.access}x`,
      `Basic ${owner.access}`,
      'Bearer',
    ]) {
      const res = await request(t.baseUrl).get('/console/api/account/profile').set('Authorization', header).expect(401);
      expect(res.body.code).toBe('unauthorized');
    }
    await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Authorization', `bearer ${owner.access}`)
      .expect(200);
  });

  it('refuses an expired access token, and one from before a token-version bump', async () => {
    const jwt = new JwtService({ secret: t.app.get(SecretKeys).get('access-token-signing') });
    const claims = { user_id: owner.accountId, ver: 0 };
    const options = { issuer: 'SELF_HOSTED', subject: 'Console API Passport', algorithm: 'HS256' as const };
    const valid = jwt.sign(claims, { ...options, expiresIn: 60 });
    const expired = jwt.sign(claims, { ...options, expiresIn: -10 });
    const oldVersion = jwt.sign({ ...claims, ver: -1 }, { ...options, expiresIn: 60 });
    const wrongSubject = jwt.sign(claims, { ...options, subject: 'Something else', expiresIn: 60 });
    await request(t.baseUrl).get('/console/api/account/profile').set(bearer(valid)).expect(200);
    for (const token of [expired, oldVersion, wrongSubject]) {
      await request(t.baseUrl).get('/console/api/account/profile').set(bearer(token)).expect(401);
    }
  });

  it('lets only one of two simultaneous uses of a refresh token win, and then revokes the family', async () => {
    const s = await login(t, OWNER.email, OWNER.password);
    const [a, b] = await Promise.all([
      post('/refresh-token', { refresh_token: s.refresh }),
      post('/refresh-token', { refresh_token: s.refresh }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const winner = (a.status === 200 ? a : b).body.data.refresh_token as string;
    await post('/refresh-token', { refresh_token: winner }).expect(401);
  });

  it('rotates refresh tokens: the new pair works, the old refresh token is dead', async () => {
    const s = await login(t, OWNER.email, OWNER.password);
    const first = await post('/refresh-token', { refresh_token: s.refresh }).expect(200);
    expect(first.body).toEqual({
      result: 'success',
      data: { access_token: expect.any(String), refresh_token: expect.stringMatching(/^[0-9a-f]{128}$/) },
    });
    expect(first.body.data.refresh_token).not.toBe(s.refresh);
    await request(t.baseUrl).get('/console/api/account/profile').set(bearer(first.body.data.access_token)).expect(200);
    const second = await post('/refresh-token', { refresh_token: first.body.data.refresh_token }).expect(200);
    expect(second.body.data.refresh_token).not.toBe(first.body.data.refresh_token);
    const unknown = await post('/refresh-token', { refresh_token: 'f'.repeat(128) }).expect(401);
    expect(unknown.body.code).toBe('unauthorized');
    await post('/refresh-token', {}).expect(400);
  });

  it('revokes the whole family when a rotated refresh token is presented again', async () => {
    const s = await login(t, OWNER.email, OWNER.password);
    const other = await login(t, OWNER.email, OWNER.password);
    const rotated = await post('/refresh-token', { refresh_token: s.refresh }).expect(200);
    const newest = rotated.body.data.refresh_token as string;
    // The stolen (rotated) token comes back: refused, and it takes the newest one with it.
    await post('/refresh-token', { refresh_token: s.refresh }).expect(401);
    await post('/refresh-token', { refresh_token: newest }).expect(401);
    // Another session (another family) is untouched.
    await post('/refresh-token', { refresh_token: other.refresh }).expect(200);
  });

  it('logs out with 200; the refresh token is dead afterwards', async () => {
    const s = await login(t, OWNER.email, OWNER.password);
    expect((await post('/logout', { refresh_token: s.refresh }, s.access).expect(200)).body).toEqual({
      result: 'success',
    });
    await post('/refresh-token', { refresh_token: s.refresh }).expect(401);
    // Without a body or a token it still answers 200 (nothing to end).
    await post('/logout').expect(200);
  });

  it('renames the account and shows the profile', async () => {
    await post('/account/name', { name: '' }, owner.access).expect(400);
    const res = await post('/account/name', { name: 'Olive O.' }, owner.access).expect(200);
    expect(res.body).toMatchObject({
      id: owner.accountId,
      name: 'Olive O.',
      email: OWNER.email,
      is_password_set: true,
    });
    const profile = await request(t.baseUrl).get('/console/api/account/profile').set(bearer(owner.access)).expect(200);
    expect(profile.body.name).toBe('Olive O.');
    expect(profile.body.last_login_at).toEqual(expect.any(Number));
  });

  it('changes the password only with the current one; every older token dies', async () => {
    const s = await login(t, OWNER.email, OWNER.password);
    const newPassword = 'brand-new-pass-2';
    const body = { password: OWNER.password, new_password: newPassword, repeat_new_password: newPassword };
    const wrong = await post('/account/password', { ...body, password: 'wrong-pass-1' }, s.access).expect(400);
    expect(wrong.body.code).toBe('current_password_incorrect');
    const mismatch = await post('/account/password', { ...body, repeat_new_password: 'other-pass-3' }, s.access).expect(
      400,
    );
    expect(mismatch.body.code).toBe('repeat_password_not_match');
    const weak = await post(
      '/account/password',
      { ...body, new_password: 'weak', repeat_new_password: 'weak' },
      s.access,
    ).expect(400);
    expect(weak.body).toMatchObject({ code: 'invalid_param', message: expect.stringContaining('new_password') });
    // Nothing changed so far.
    await login(t, OWNER.email, OWNER.password);

    expect((await post('/account/password', body, s.access).expect(200)).body).toEqual({ result: 'success' });
    await request(t.baseUrl).get('/console/api/account/profile').set(bearer(s.access)).expect(401);
    await request(t.baseUrl).get('/console/api/account/profile').set(bearer(owner.access)).expect(401);
    await post('/refresh-token', { refresh_token: s.refresh }).expect(401);
    await post('/login', { email: OWNER.email, password: OWNER.password }).expect(401);
    owner = await login(t, OWNER.email, newPassword);
    // Put it back for the later tests.
    await post(
      '/account/password',
      { password: newPassword, new_password: OWNER.password, repeat_new_password: OWNER.password },
      owner.access,
    ).expect(200);
    owner = await login(t, OWNER.email, OWNER.password);
  });

  it('says which login methods are on, publicly', async () => {
    const res = await request(t.baseUrl).get('/console/api/system-features').expect(200);
    expect(res.body).toMatchObject({
      enable_email_password_login: true,
      enable_email_code_login: false,
      enable_social_oauth_login: false,
      is_allow_register: false,
      is_allow_create_workspace: false,
    });
  });

  it('records logins, failures and password changes in the audit log, with IP and user agent', async () => {
    const res = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?limit=100')
      .set(bearer(owner.access))
      .expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 100, has_more: false, total: res.body.data.length });
    const entries = res.body.data as Array<{ action: string; created_at: number }>;
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['account.login', 'account.login_failed', 'account.password_changed', 'workspace.setup']),
    );
    const failed = entries.find((e) => e.action === 'account.login_failed');
    expect(failed).toMatchObject({ actor_id: owner.accountId, actor_email: OWNER.email, ip: expect.any(String) });
    expect(failed?.created_at).toEqual(expect.any(Number));

    const page = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?action=account.login&page=2&limit=2')
      .set(bearer(owner.access))
      .expect(200);
    expect(page.body.page).toBe(2);
    expect(page.body.data.length).toBeLessThanOrEqual(2);
    expect((page.body.data as Array<{ action: string }>).every((e) => e.action === 'account.login')).toBe(true);
    expect(page.body.has_more).toBe(page.body.total > 4);

    const byActor = await request(t.baseUrl)
      .get(`/console/api/workspaces/current/audit-logs?actor_id=${owner.accountId}&action=account.password_changed`)
      .set(bearer(owner.access))
      .set('User-Agent', 'audit-test')
      .expect(200);
    expect(byActor.body.total).toBe(2);
    await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?limit=1000')
      .set(bearer(owner.access))
      .expect(400);
  });

  it('never writes passwords or tokens to the log', () => {
    const text = JSON.stringify(t.logs());
    expect(text).not.toContain(OWNER.password);
    expect(text).not.toContain(owner.refresh);
    expect(text).not.toContain(owner.access);
  });
});

describe('console with ENABLE_PASSWORD_LOGIN=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ ENABLE_PASSWORD_LOGIN: 'false' });
  });

  afterAll(() => t.close());

  it('still sets up, but refuses password login and reset, and says so in system-features', async () => {
    await request(t.baseUrl).post('/console/api/setup').send(OWNER).expect(201);
    const res = await request(t.baseUrl).post('/console/api/login').send(OWNER).expect(403);
    expect(res.body.code).toBe('password_login_disabled');
    await request(t.baseUrl).post('/console/api/forgot-password').send({ email: OWNER.email }).expect(403);
    const features = await request(t.baseUrl).get('/console/api/system-features').expect(200);
    expect(features.body.enable_email_password_login).toBe(false);
  });
});
