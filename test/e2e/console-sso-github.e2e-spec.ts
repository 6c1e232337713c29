import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccountIntegration } from '../../src/modules/sso/account-integration.entity';
import { Invitation } from '../../src/modules/workspaces/invitation.entity';
import { addMember, bearer, OWNER, type Session, setupOwner } from '../support/console';
import { FakeOAuthProvider, type FakeUser, GITHUB_PATHS } from '../support/fake-oauth-provider';
import { hop, signinMessage, ssoLogin } from '../support/sso';
import { bootTestApp, type TestApp } from '../support/test-app';

const CLIENT = { id: 'gh-client-id', secret: 'gh-client-secret' };
const WEB = 'http://console.test';

const octo: FakeUser = {
  profile: { id: 4242, login: 'octo', name: 'Octo Cat', email: null },
  emails: [
    { email: 'old@example.net', primary: false, verified: true },
    { email: 'Octo@Example.com', primary: true, verified: true },
  ],
};

/** The same string with its last character changed (always changed). */
const flipLast = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('; ');

function githubEnv(fake: FakeOAuthProvider, extra: Record<string, string> = {}) {
  return {
    GITHUB_CLIENT_ID: CLIENT.id,
    GITHUB_CLIENT_SECRET: CLIENT.secret,
    // GitHub Enterprise Server's three URLs, pointing at the fake on loopback.
    GITHUB_AUTHORIZE_URL: fake.url('authorize'),
    GITHUB_TOKEN_URL: fake.url('token'),
    GITHUB_API_URL: `${fake.baseUrl}/api/v3`,
    CONSOLE_WEB_URL: WEB,
    ...extra,
  };
}

describe('console SSO with GitHub (Enterprise URLs, a GitHub-like server on loopback)', () => {
  let fake: FakeOAuthProvider;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    fake = await FakeOAuthProvider.start(GITHUB_PATHS, CLIENT);
    t = await bootTestApp(githubEnv(fake, { ALLOW_REGISTER: 'true', ALLOW_CREATE_WORKSPACE: 'true' }));
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('lists GitHub alone among the SSO providers in system-features', async () => {
    const res = await request(t.baseUrl).get('/console/api/system-features').expect(200);
    expect(res.body).toMatchObject({
      enable_social_oauth_login: true,
      sso_providers: [{ provider: 'github', name: 'GitHub' }],
      is_allow_register: true,
      is_allow_create_workspace: true,
    });
  });

  it('answers 404 for an unknown provider and 400 naming the variables for an unconfigured one', async () => {
    const unknown = await request(t.baseUrl).get('/console/api/oauth/login/myspace').expect(404);
    expect(unknown.body.code).toBe('not_found');
    const google = await request(t.baseUrl).get('/console/api/oauth/login/google').expect(400);
    expect(google.body).toEqual({
      code: 'oauth_provider_not_configured',
      message: 'Google sign-in is not configured on this server (set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).',
      status: 400,
    });
    await request(t.baseUrl).get('/console/api/oauth/authorize/oidc?code=x&state=y').expect(400);
  });

  let first: { accountId: string; cookies: Record<string, string> };

  it('signs a new person up: account, own workspace, HttpOnly session cookies and a CSRF cookie', async () => {
    fake.nextUser = octo;
    const run = await ssoLogin(t.baseUrl, 'github');

    const authorize = new URL(run.start.location);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(fake.url('authorize'));
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT.id);
    expect(authorize.searchParams.get('scope')).toBe('user:email');
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // CONSOLE_API_URL defaults to http://localhost:$PORT.
    expect(authorize.searchParams.get('redirect_uri')).toBe(
      `http://localhost:${t.config.server.port}/console/api/oauth/authorize/github`,
    );
    const stateCookie = run.start.setCookie.find((c) => c.startsWith('keel_oauth_github='));
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/SameSite=Lax/);
    expect(stateCookie).toMatch(/Max-Age=600/);

    expect(run.callback.status).toBe(302);
    expect(run.callback.location).toBe(WEB);
    const { cookies, setCookie } = run.callback;
    expect(Object.keys(cookies)).toEqual(expect.arrayContaining(['access_token', 'refresh_token', 'csrf_token']));
    const line = (name: string) => setCookie.find((c) => c.startsWith(`${name}=`)) ?? '';
    expect(line('access_token')).toMatch(/HttpOnly/);
    expect(line('access_token')).toMatch(/Path=\/console\/api/);
    expect(line('refresh_token')).toMatch(/HttpOnly/);
    expect(line('csrf_token')).not.toMatch(/HttpOnly/);
    // CONSOLE_API_URL is http here, so the cookies cannot be Secure.
    expect(line('access_token')).not.toMatch(/Secure/);
    expect(cookies.keel_oauth_github).toBe('');

    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', cookieHeader({ access_token: cookies.access_token }))
      .expect(200);
    expect(profile.body).toMatchObject({ email: 'octo@example.com', name: 'Octo Cat', is_password_set: false });
    const workspace = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set('Cookie', cookieHeader(cookies))
      .expect(200);
    expect(workspace.body).toMatchObject({ name: "Octo Cat's Workspace", role: 'owner' });
    first = { accountId: profile.body.id, cookies };
  });

  it('finds the same account at the second sign-in', async () => {
    fake.nextUser = octo;
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(run.callback.location).toBe(WEB);
    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', cookieHeader({ access_token: run.callback.cookies.access_token }))
      .expect(200);
    expect(profile.body.id).toBe(first.accountId);
    const workspaces = await request(t.baseUrl)
      .get('/console/api/workspaces')
      .set('Cookie', cookieHeader(run.callback.cookies))
      .expect(200);
    expect(workspaces.body.workspaces).toHaveLength(1);
  });

  it('refuses a cookie-authenticated POST without X-CSRF-Token (401), accepts it with the token', async () => {
    const { cookies } = first;
    const refused = await request(t.baseUrl)
      .post('/console/api/account/name')
      .set('Cookie', cookieHeader(cookies))
      .send({ name: 'Octo' })
      .expect(401);
    expect(refused.body).toEqual({ code: 'unauthorized', message: 'CSRF token missing or invalid.', status: 401 });
    await request(t.baseUrl)
      .post('/console/api/account/name')
      .set('Cookie', cookieHeader(cookies))
      .set('X-CSRF-Token', 'forged')
      .send({ name: 'Octo' })
      .expect(401);
    const renamed = await request(t.baseUrl)
      .post('/console/api/account/name')
      .set('Cookie', cookieHeader(cookies))
      .set('X-CSRF-Token', cookies.csrf_token)
      .send({ name: 'Octo' })
      .expect(200);
    expect(renamed.body.name).toBe('Octo');
    // A Bearer token needs no CSRF token.
    await request(t.baseUrl)
      .post('/console/api/account/name')
      .set(bearer(owner.access))
      .send({ name: 'Olive' })
      .expect(200);
  });

  it('refreshes and logs out with the cookies', async () => {
    const { cookies } = first;
    await request(t.baseUrl).post('/console/api/refresh-token').set('Cookie', cookieHeader(cookies)).expect(401);
    const refreshed = await request(t.baseUrl)
      .post('/console/api/refresh-token')
      .set('Cookie', cookieHeader(cookies))
      .set('X-CSRF-Token', cookies.csrf_token)
      .expect(200);
    expect(refreshed.body).toEqual({ result: 'success' });
    const renewed: Record<string, string> = {};
    for (const line of refreshed.headers['set-cookie'] as unknown as string[]) {
      const [pair] = line.split(';');
      renewed[pair.slice(0, pair.indexOf('='))] = decodeURIComponent(pair.slice(pair.indexOf('=') + 1));
    }
    expect(renewed.refresh_token).toMatch(/^[0-9a-f]{128}$/);
    expect(renewed.refresh_token).not.toBe(cookies.refresh_token);
    expect(renewed.csrf_token).not.toBe(cookies.csrf_token);
    // The rotated refresh token is spent.
    await request(t.baseUrl)
      .post('/console/api/refresh-token')
      .send({ refresh_token: cookies.refresh_token })
      .expect(401);

    const out = await request(t.baseUrl)
      .post('/console/api/logout')
      .set('Cookie', cookieHeader(renewed))
      .set('X-CSRF-Token', renewed.csrf_token)
      .expect(200);
    expect((out.headers['set-cookie'] as unknown as string[]).join('\n')).toMatch(/access_token=;/);
    await request(t.baseUrl)
      .post('/console/api/refresh-token')
      .send({ refresh_token: renewed.refresh_token })
      .expect(401);
  });

  it('links an existing account by its verified email, and records logins and links in the audit log', async () => {
    fake.nextUser = {
      profile: { id: 7, login: 'olive', name: 'Olive' },
      emails: [{ email: OWNER.email, primary: true, verified: true }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(run.callback.location).toBe(WEB);
    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', cookieHeader({ access_token: run.callback.cookies.access_token }))
      .expect(200);
    expect(profile.body.id).toBe(owner.accountId);

    const logs = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?limit=100')
      .set(bearer(owner.access))
      .expect(200);
    const entries = logs.body.data as Array<{ action: string; metadata: Record<string, unknown> }>;
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['account.sso_linked', 'account.login']));
    expect(entries.find((e) => e.action === 'account.sso_linked')?.metadata).toEqual({
      method: 'sso',
      provider: 'github',
    });
  });

  it('uses the no-reply address when GitHub has no primary verified email', async () => {
    fake.nextUser = {
      profile: { id: 99, login: 'quiet', name: null },
      emails: [{ email: 'quiet@example.org', primary: true, verified: false }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', cookieHeader({ access_token: run.callback.cookies.access_token }))
      .expect(200);
    expect(profile.body).toMatchObject({ email: '99+quiet@users.noreply.github.com', name: 'quiet' });
  });

  describe('state', () => {
    const rejected = async (location: string, cookies: Record<string, string>) => {
      const res = await hop(location, cookies);
      expect(res.status).toBe(302);
      expect(res.cookies.access_token).toBeUndefined();
      return signinMessage(res.location);
    };

    it('rejects a tampered, a missing and a foreign state, and a replayed callback', async () => {
      fake.nextUser = octo;
      const run = await ssoLogin(t.baseUrl, 'github');
      expect(run.callback.location).toBe(WEB);
      const callback = new URL(run.provider.location.replace('://localhost:', '://127.0.0.1:'));

      // Replayed: the same callback with the same cookie, after it succeeded.
      expect(await rejected(callback.toString(), run.start.cookies)).toMatch(/already used or has expired/);

      // A fresh attempt, then its callback with the state changed, removed, or from another browser.
      const start = await hop(`${t.baseUrl}/console/api/oauth/login/github`);
      const back = new URL((await hop(start.location)).location.replace('://localhost:', '://127.0.0.1:'));
      const tampered = new URL(back);
      tampered.searchParams.set('state', flipLast(back.searchParams.get('state')!));
      expect(await rejected(tampered.toString(), start.cookies)).toMatch(/does not belong to this browser/);
      const missing = new URL(back);
      missing.searchParams.delete('state');
      expect(await rejected(missing.toString(), start.cookies)).toMatch(/carries no state/);
      const other = await hop(`${t.baseUrl}/console/api/oauth/login/github`);
      expect(await rejected(back.toString(), other.cookies)).toMatch(/does not belong to this browser/);
      expect(await rejected(back.toString(), {})).toMatch(/no sign-in in progress/);
      // A forged cookie (signature broken) is refused too.
      const forged = { keel_oauth_github: flipLast(start.cookies.keel_oauth_github) };
      expect(await rejected(back.toString(), forged)).toMatch(/does not belong to this browser/);
      // The untouched callback still works once.
      const ok = await hop(back.toString(), start.cookies);
      expect(ok.location).toBe(WEB);
    });

    it('refuses a callback without a code', async () => {
      const res = await hop(`${t.baseUrl}/console/api/oauth/authorize/github?state=abc`);
      expect(signinMessage(res.location)).toMatch(/no authorization code/);
    });
  });
});

describe('console SSO with GitHub when sign-up is off', () => {
  let fake: FakeOAuthProvider;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    fake = await FakeOAuthProvider.start(GITHUB_PATHS, CLIENT);
    t = await bootTestApp(githubEnv(fake));
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('refuses a new account with a clear message on the sign-in page', async () => {
    fake.nextUser = {
      profile: { id: 1001, login: 'stranger', name: 'Stranger' },
      emails: [{ email: 'stranger@example.com', primary: true, verified: true }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(run.callback.location.startsWith(`${WEB}/signin?`)).toBe(true);
    expect(signinMessage(run.callback.location)).toBe(
      'No Keel account uses stranger@example.com, and this server does not allow signing up. Ask an administrator to invite you.',
    );
    expect(run.callback.cookies.access_token).toBeUndefined();
  });

  it('lets an invited email accept its invitation: the member becomes active with the invited role', async () => {
    const invite = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(owner.access))
      .send({ emails: ['eddie@example.com'], role: 'editor' })
      .expect(201);
    expect(invite.body.invitation_results[0].status).toBe('success');

    fake.nextUser = {
      profile: { id: 2002, login: 'eddie', name: 'Eddie' },
      emails: [{ email: 'eddie@example.com', primary: true, verified: true }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(run.callback.location).toBe(WEB);
    const current = await request(t.baseUrl)
      .get('/console/api/workspaces/current')
      .set('Cookie', cookieHeader(run.callback.cookies))
      .expect(200);
    expect(current.body).toMatchObject({ name: "Olive Owner's Workspace", role: 'editor' });

    const members = await request(t.baseUrl)
      .get('/console/api/workspaces/current/members')
      .set(bearer(owner.access))
      .expect(200);
    expect(members.body.accounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'eddie@example.com', role: 'editor', status: 'active', name: 'Eddie' }),
      ]),
    );
    // The emailed link is spent.
    const link = new URL(invite.body.invitation_results[0].url);
    const check = await request(t.baseUrl)
      .get('/console/api/activate/check')
      .query({ token: link.searchParams.get('token') })
      .expect(200);
    expect(check.body.is_valid).toBe(false);
  });

  it('refuses an invitee whose invitation expired, and links nothing', async () => {
    await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(owner.access))
      .send({ emails: ['late@example.com'], role: 'normal' })
      .expect(201);
    const ds = t.app.get(DataSource);
    await ds
      .getRepository(Invitation)
      .update({ email: 'late@example.com' }, { expiresAt: new Date(Date.now() - 1000) });
    fake.nextUser = {
      profile: { id: 4004, login: 'late', name: 'Late' },
      emails: [{ email: 'late@example.com', primary: true, verified: true }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(signinMessage(run.callback.location)).toBe(
      'Your invitation has expired or was cancelled. Ask an administrator to invite you again.',
    );
    expect(await ds.getRepository(AccountIntegration).countBy({ subject: '4004' })).toBe(0);
  });

  it('still signs in an existing member who has a workspace (linking by email)', async () => {
    const member = await addMember(t, owner, 'norm@example.com', 'normal');
    fake.nextUser = {
      profile: { id: 3003, login: 'norm', name: 'Norm' },
      emails: [{ email: 'norm@example.com', primary: true, verified: true }],
    };
    const run = await ssoLogin(t.baseUrl, 'github');
    expect(run.callback.location).toBe(WEB);
    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', cookieHeader({ access_token: run.callback.cookies.access_token }))
      .expect(200);
    expect(profile.body.id).toBe(member.accountId);
  });
});
