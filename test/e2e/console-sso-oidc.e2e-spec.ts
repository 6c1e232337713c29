import request from 'supertest';
import { OidcProvider } from '../support/oidc-provider';
import { hop, signinMessage, ssoLogin } from '../support/sso';
import { bootTestApp, type TestApp } from '../support/test-app';

const WEB = 'http://console.test';

describe('console SSO with OpenID Connect (oauth2-mock-server on loopback)', () => {
  let idp: OidcProvider;
  let t: TestApp;

  beforeAll(async () => {
    idp = await OidcProvider.start();
    t = await bootTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'keel-console',
      OIDC_CLIENT_SECRET: 'keel-secret',
      OIDC_DISPLAY_NAME: 'Acme SSO',
      CONSOLE_WEB_URL: WEB,
      ALLOW_REGISTER: 'true',
      ALLOW_CREATE_WORKSPACE: 'true',
      ALLOWED_EMAIL_DOMAINS: 'acme.test',
    });
  });

  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const alice = { sub: 'alice-0001', email: 'Alice@acme.test', email_verified: true, name: 'Alice Liddell' };

  it('lists the provider under its display name', async () => {
    const res = await request(t.baseUrl).get('/console/api/system-features').expect(200);
    expect(res.body.sso_providers).toEqual([{ provider: 'oidc', name: 'Acme SSO' }]);
  });

  it('signs in with the authorization code flow, PKCE (S256), state and nonce', async () => {
    const run = await ssoLogin(t.baseUrl, 'oidc', OidcProvider.as(alice));
    const authorize = new URL(run.start.location);
    expect(authorize.origin).toBe(idp.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'keel-console',
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.any(String),
      state: expect.any(String),
    });
    expect(run.callback.location).toBe(WEB);
    const cookie = `access_token=${run.callback.cookies.access_token}`;
    const profile = await request(t.baseUrl).get('/console/api/account/profile').set('Cookie', cookie).expect(200);
    expect(profile.body).toMatchObject({ email: 'alice@acme.test', name: 'Alice Liddell' });

    const again = await ssoLogin(t.baseUrl, 'oidc', OidcProvider.as(alice));
    const second = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', `access_token=${again.callback.cookies.access_token}`)
      .expect(200);
    expect(second.body.id).toBe(profile.body.id);
  });

  it('rejects an ID token whose nonce is not the one Keel sent', async () => {
    const run = await ssoLogin(t.baseUrl, 'oidc', OidcProvider.as({ ...alice, nonce: 'not-the-nonce' }));
    expect(signinMessage(run.callback.location)).toBe('Sign-in with Acme SSO failed. Please try again.');
    expect(run.callback.cookies.access_token).toBeUndefined();
    const failure = t.logs().find((l) => l.msg === 'SSO sign-in failed');
    expect(failure).toMatchObject({ provider: 'oidc', reason: expect.stringMatching(/nonce mismatch/) });
  });

  it('never logs the authorization code, the state or the client secret', async () => {
    const run = await ssoLogin(t.baseUrl, 'oidc', OidcProvider.as(alice));
    const back = new URL(run.provider.location);
    const logged = JSON.stringify(t.logs());
    expect(logged).toContain('/console/api/oauth/authorize/oidc');
    expect(logged).not.toContain(back.searchParams.get('code'));
    expect(logged).not.toContain(back.searchParams.get('state'));
    expect(logged).not.toContain('keel-secret');
    expect(logged).not.toContain(run.callback.cookies.access_token);
  });

  it('rejects a replayed callback and a foreign state', async () => {
    const run = await ssoLogin(t.baseUrl, 'oidc', OidcProvider.as(alice));
    expect(run.callback.location).toBe(WEB);
    const replay = await hop(run.provider.location.replace('://localhost:', '://127.0.0.1:'), run.start.cookies);
    expect(signinMessage(replay.location)).toMatch(/already used or has expired/);

    const start = await hop(`${t.baseUrl}/console/api/oauth/login/oidc`);
    const back = (await hop(start.location + OidcProvider.as(alice))).location.replace(
      '://localhost:',
      '://127.0.0.1:',
    );
    const other = await hop(`${t.baseUrl}/console/api/oauth/login/oidc`);
    expect(signinMessage((await hop(back, other.cookies)).location)).toMatch(/does not belong to this browser/);
  });

  it('refuses sign-up outside ALLOWED_EMAIL_DOMAINS and without a verified email', async () => {
    const outsider = await ssoLogin(
      t.baseUrl,
      'oidc',
      OidcProvider.as({ sub: 'bob', email: 'bob@elsewhere.test', email_verified: true }),
    );
    expect(signinMessage(outsider.callback.location)).toBe(
      'Accounts with elsewhere.test email addresses may not sign up here. Ask an administrator to invite you.',
    );
    const unverified = await ssoLogin(
      t.baseUrl,
      'oidc',
      OidcProvider.as({ sub: 'carol', email: 'carol@acme.test', email_verified: false }),
    );
    expect(signinMessage(unverified.callback.location)).toBe(
      'Your Acme SSO account has no verified email address, so it cannot be matched to a Keel account.',
    );
  });
});
