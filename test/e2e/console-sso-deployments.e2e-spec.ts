import request from 'supertest';
import { FakeOAuthProvider, type FakeUser, GITHUB_PATHS } from '../support/fake-oauth-provider';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import { describeWith } from '../support/services';
import { hop, signinMessage, ssoLogin } from '../support/sso';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const CLIENT = { id: 'gh-client-id', secret: 'gh-client-secret' };
const WEB = 'http://console.test';
const SECRET_KEY = 'k'.repeat(40);

const user = (id: number, email: string): FakeUser => ({
  profile: { id, login: `user${id}`, name: `User ${id}` },
  emails: [{ email, primary: true, verified: true }],
});

const githubEnv = (fake: FakeOAuthProvider) => ({
  GITHUB_CLIENT_ID: CLIENT.id,
  GITHUB_CLIENT_SECRET: CLIENT.secret,
  GITHUB_AUTHORIZE_URL: fake.url('authorize'),
  GITHUB_TOKEN_URL: fake.url('token'),
  GITHUB_API_URL: `${fake.baseUrl}/api/v3`,
  CONSOLE_WEB_URL: WEB,
  ALLOW_REGISTER: 'true',
  ALLOW_CREATE_WORKSPACE: 'true',
  SECRET_KEY,
});

/** The provider’s redirect to the callback, sent to the given replica (a load balancer’s choice). */
const callbackOf = (location: string, replica: TestApp) => location.replace(/^http:\/\/[^/]+/, replica.baseUrl);

describe('console SSO configured by client id and secret alone', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({
      GITHUB_CLIENT_ID: 'only-id',
      GITHUB_CLIENT_SECRET: 'only-secret',
      GOOGLE_CLIENT_ID: 'g-only-id',
      GOOGLE_CLIENT_SECRET: 'g-only-secret',
      // Nothing listens here: discovery happens at the first sign-in, never at boot.
      OIDC_ISSUER: 'http://127.0.0.1:9/realms/keel',
      OIDC_CLIENT_ID: 'keel',
    });
  });

  afterAll(() => t?.close());

  it("boots, and sends sign-ins to github.com's and Google's own endpoints", async () => {
    const github = await hop(`${t.baseUrl}/console/api/oauth/login/github`);
    expect(github.location.startsWith('https://github.com/login/oauth/authorize?')).toBe(true);
    expect(new URL(github.location).searchParams.get('client_id')).toBe('only-id');
    const google = await hop(`${t.baseUrl}/console/api/oauth/login/google`);
    expect(google.location.startsWith('https://accounts.google.com/o/oauth2/v2/auth?')).toBe(true);
  });

  it('sends the browser to the sign-in page with a message when the OIDC issuer is unreachable', async () => {
    const res = await hop(`${t.baseUrl}/console/api/oauth/login/oidc`);
    expect(res.status).toBe(302);
    // CONSOLE_WEB_URL defaults to CONSOLE_API_URL, which defaults to http://localhost:$PORT.
    expect(res.location.startsWith(`http://localhost:${t.config.server.port}/signin?`)).toBe(true);
    expect(signinMessage(res.location)).toBe('Sign-in with SSO failed. Please try again.');
  });
});

describeWith('redis', 'console SSO state across replicas (Redis at 127.0.0.1:6379)', () => {
  const prefix = uniqueRedisPrefix('sso-state');
  let fake: FakeOAuthProvider;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    fake = await FakeOAuthProvider.start(GITHUB_PATHS, CLIENT);
    // Replicas behind one public URL: the same CONSOLE_API_URL (callback) and SECRET_KEY.
    const env = {
      ...githubEnv(fake),
      CONSOLE_API_URL: 'http://keel.test',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_KEY_PREFIX: prefix,
    };
    a = await bootTestApp(env);
    b = await bootTestApp(env);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fake?.close();
    await deleteRedisKeys(prefix);
  });

  it('completes on another replica a sign-in started on one, once', async () => {
    fake.nextUser = user(501, 'replica@example.com');
    const start = await hop(`${a.baseUrl}/console/api/oauth/login/github`);
    const back = await hop(start.location);
    const done = await hop(callbackOf(back.location, b), start.cookies);
    expect(done.location).toBe(WEB);
    expect(done.cookies.access_token).toBeTruthy();
    // The record is gone from Redis for every replica.
    const replay = await hop(callbackOf(back.location, a), start.cookies);
    expect(signinMessage(replay.location)).toMatch(/already used or has expired/);
  });
});

function ssoOn(kind: TestDatabaseKind) {
  let db: TestDatabase;
  let fake: FakeOAuthProvider;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    fake = await FakeOAuthProvider.start(GITHUB_PATHS, CLIENT);
    t = await bootTestApp({ ...db.env, ...githubEnv(fake) });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await db?.drop();
  });

  it('signs up through SSO, finds the same account by its integration, and links by email', async () => {
    fake.nextUser = user(601, 'dbuser@example.com');
    const first = await ssoLogin(t.baseUrl, 'github');
    expect(first.callback.location).toBe(WEB);
    const profile = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', `access_token=${first.callback.cookies.access_token}`)
      .expect(200);

    // The same GitHub user under a new email address: found by (provider, subject).
    fake.nextUser = user(601, 'renamed@example.com');
    const second = await ssoLogin(t.baseUrl, 'github');
    const again = await request(t.baseUrl)
      .get('/console/api/account/profile')
      .set('Cookie', `access_token=${second.callback.cookies.access_token}`)
      .expect(200);
    expect(again.body.id).toBe(profile.body.id);

    // Another GitHub user claiming the first one's address: the account is linked to 601 already.
    fake.nextUser = user(602, 'dbuser@example.com');
    const other = await ssoLogin(t.baseUrl, 'github');
    expect(signinMessage(other.callback.location)).toBe(
      'This Keel account is already linked to another GitHub identity.',
    );
  });
}

describeWith('postgres', 'console SSO on PostgreSQL', () => ssoOn('postgres'));
describeWith('mariadb', 'console SSO on MariaDB', () => ssoOn('mariadb'));
