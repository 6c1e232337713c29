import type { Request, Response } from 'express';
import { AuthStateStore } from '../auth/auth-state.store';
import { OAUTH_STATE_TTL_MS, OAuthStateStore } from './oauth-state.store';

/** A request whose response records the cookies set on it, and that sends the given ones. */
function exchange(cookies: Record<string, string> = {}) {
  const set: Record<string, { value: string; options: Record<string, unknown> }> = {};
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) => {
      set[name] = { value, options };
    },
    clearCookie: (name: string) => {
      set[name] = { value: '', options: {} };
    },
  } as unknown as Response;
  const header = Object.entries(cookies)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('; ');
  const req = { headers: { cookie: header }, res } as unknown as Request;
  return { req, set };
}

describe('OAuthStateStore', () => {
  const key = Buffer.alloc(32, 7);
  afterEach(() => jest.useRealTimers());

  it('binds the state to a signed, HttpOnly, Lax cookie and keeps the PKCE verifier and nonce server-side', async () => {
    const store = new OAuthStateStore('oidc', key, new AuthStateStore(), true);
    const start = exchange();
    const state = await store.issue(start.req, { verifier: 'v', nonce: 'n' });
    const cookie = start.set.keel_oauth_oidc;
    expect(cookie.options).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax', maxAge: OAUTH_STATE_TTL_MS });
    expect(cookie.value).not.toContain('"v"');
    const back = exchange({ keel_oauth_oidc: cookie.value });
    expect(await store.consume(back.req, state)).toEqual({ ok: true, extras: { verifier: 'v', nonce: 'n' } });
    expect(back.set.keel_oauth_oidc.value).toBe('');
  });

  it('refuses an expired cookie, another provider’s cookie, and a second use', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const records = new AuthStateStore();
    const github = new OAuthStateStore('github', key, records, false);
    const google = new OAuthStateStore('google', key, records, false);

    const first = exchange();
    const state = await github.issue(first.req);
    const cookie = first.set.keel_oauth_github.value;
    // The same signature key, but the cookie names GitHub: Google's store refuses it.
    const foreign = await google.consume(exchange({ keel_oauth_google: cookie }).req, state);
    expect(foreign).toMatchObject({ ok: false, message: expect.stringMatching(/does not belong to this browser/) });

    expect((await github.consume(exchange({ keel_oauth_github: cookie }).req, state)).ok).toBe(true);
    const again = await github.consume(exchange({ keel_oauth_github: cookie }).req, state);
    expect(again).toMatchObject({ ok: false, message: expect.stringMatching(/already used or has expired/) });

    const late = exchange();
    const lateState = await github.issue(late.req);
    jest.setSystemTime(1_000_000 + OAUTH_STATE_TTL_MS + 1);
    const expired = await github.consume(
      exchange({ keel_oauth_github: late.set.keel_oauth_github.value }).req,
      lateState,
    );
    expect(expired.ok).toBe(false);
  });
});
