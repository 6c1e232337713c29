import request from 'supertest';
import { FakeOAuthProvider, GOOGLE_PATHS } from '../support/fake-oauth-provider';
import { hop, signinMessage, ssoLogin } from '../support/sso';
import { bootTestApp, type TestApp } from '../support/test-app';

const CLIENT = { id: 'google-client-id.apps.example', secret: 'google-secret' };
const WEB = 'http://console.test';

const googleEnv = (fake: FakeOAuthProvider, extra: Record<string, string> = {}) => ({
  GOOGLE_CLIENT_ID: CLIENT.id,
  GOOGLE_CLIENT_SECRET: CLIENT.secret,
  GOOGLE_AUTHORIZE_URL: fake.url('authorize'),
  GOOGLE_TOKEN_URL: fake.url('token'),
  GOOGLE_USERINFO_URL: fake.url('user'),
  CONSOLE_WEB_URL: WEB,
  ALLOW_REGISTER: 'true',
  ALLOW_CREATE_WORKSPACE: 'true',
  ...extra,
});

describe('console SSO with Google (endpoints overridden to a loopback fake)', () => {
  let fake: FakeOAuthProvider;
  let t: TestApp;

  beforeAll(async () => {
    fake = await FakeOAuthProvider.start(GOOGLE_PATHS, CLIENT);
    t = await bootTestApp(googleEnv(fake));
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('signs up, then finds the same account by its Google subject even after an email change', async () => {
    fake.nextUser = {
      profile: { sub: '1089', email: 'gina@example.com', email_verified: true, name: 'Gina Google' },
    };
    const run = await ssoLogin(t.baseUrl, 'google');
    const authorize = new URL(run.start.location);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT.id);
    expect(authorize.searchParams.get('scope')).toBe('openid email profile');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(run.callback.location).toBe(WEB);
    const first = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', `access_token=${run.callback.cookies.access_token}`)
      .expect(200);
    expect(first.body).toMatchObject({ email: 'gina@example.com', name: 'Gina Google' });

    fake.nextUser = {
      profile: { sub: '1089', email: 'gina@example.org', email_verified: true, name: 'Gina Google' },
    };
    const again = await ssoLogin(t.baseUrl, 'google');
    const second = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', `access_token=${again.callback.cookies.access_token}`)
      .expect(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('does not match an unverified Google email to anyone', async () => {
    fake.nextUser = { profile: { sub: '2077', email: 'gina@example.com', email_verified: false } };
    const run = await ssoLogin(t.baseUrl, 'google');
    expect(signinMessage(run.callback.location)).toMatch(/no verified email address/);
  });

  it('says the sign-in was cancelled, in its own words, when the provider answers an error', async () => {
    const res = await hop(
      `${t.baseUrl}/console/api/oauth/authorize/google?error=access_denied&error_description=${encodeURIComponent('The user denied access')}`,
    );
    expect(signinMessage(res.location)).toBe('Sign-in with Google was cancelled or refused.');
  });
});

describe('console SSO cookies behind an https CONSOLE_API_URL', () => {
  let fake: FakeOAuthProvider;
  let t: TestApp;

  beforeAll(async () => {
    fake = await FakeOAuthProvider.start(GOOGLE_PATHS, CLIENT);
    t = await bootTestApp(googleEnv(fake, { CONSOLE_API_URL: 'https://keel.example.com' }));
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('registers the https callback and marks the state cookie Secure', async () => {
    const start = await hop(`${t.baseUrl}/console/api/oauth/login/google`);
    expect(new URL(start.location).searchParams.get('redirect_uri')).toBe(
      'https://keel.example.com/console/api/oauth/authorize/google',
    );
    expect(start.setCookie.find((c) => c.startsWith('keel_oauth_google='))).toMatch(/; Secure/);
  });

  it('sets Secure session cookies at the end of the sign-in', async () => {
    fake.nextUser = { profile: { sub: '3001', email: 'sec@example.com', email_verified: true, name: 'Sec' } };
    const start = await hop(`${t.baseUrl}/console/api/oauth/login/google`);
    const back = await hop(start.location);
    // The browser would reach https://keel.example.com; the test reaches the app itself.
    const done = await hop(back.location.replace('https://keel.example.com', t.baseUrl), start.cookies);
    expect(done.location).toBe(WEB);
    for (const name of ['access_token', 'refresh_token', 'csrf_token']) {
      expect(done.setCookie.find((c) => c.startsWith(`${name}=`))).toMatch(/; Secure/);
    }
  });
});
