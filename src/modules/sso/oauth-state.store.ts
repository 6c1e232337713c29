import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { StateStore } from 'passport-oauth2';
import { readCookie } from '../../common/http/cookies';
import type { AuthStateStore } from '../auth/auth-state.store';
import type { SsoProvider } from './sso-provider';

/** How long a sign-in may take between the redirect to the provider and its callback. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** What the callback needs besides the state itself (OIDC: the PKCE verifier and the nonce). */
export interface StateExtras {
  verifier?: string;
  nonce?: string;
}

export type StateCheck = { ok: true; extras: StateExtras } | { ok: false; message: string };

const START_OVER = 'Please start the sign-in again.';

/**
 * The OAuth `state` of one provider, bound to the browser and usable once — without a server
 * session (passport's default store needs express-session). At the redirect a random state is
 * recorded server-side (AuthStateStore: Redis when configured, so any replica can take the
 * callback) and the browser gets a signed, short-lived, HttpOnly cookie naming it. The callback
 * must present the same state in the query and in a valid cookie, and the record is taken
 * atomically: a missing, foreign (another browser's), tampered, expired or replayed state fails.
 *
 * Implements passport-oauth2's state-store contract (`store`, `verify`) for GitHub and Google;
 * the OIDC strategy calls `issue` and `consume` itself.
 */
export class OAuthStateStore {
  readonly cookieName: string;

  constructor(
    private readonly provider: SsoProvider,
    private readonly key: Buffer,
    private readonly records: AuthStateStore,
    private readonly secure: boolean,
  ) {
    this.cookieName = `keel_oauth_${provider}`;
  }

  async issue(req: Request, extras: StateExtras = {}): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    const expires = Date.now() + OAUTH_STATE_TTL_MS;
    await this.records.set(this.recordKey(state), JSON.stringify(extras), OAUTH_STATE_TTL_MS);
    const payload = `${this.provider}.${expires}.${state}`;
    responseOf(req).cookie(this.cookieName, `${payload}.${this.sign(payload)}`, {
      httpOnly: true,
      secure: this.secure,
      // Lax: the provider's redirect back is a top-level GET navigation, which carries it.
      sameSite: 'lax',
      path: '/console/api/oauth',
      maxAge: OAUTH_STATE_TTL_MS,
    });
    return state;
  }

  async consume(req: Request, provided: unknown): Promise<StateCheck> {
    responseOf(req).clearCookie(this.cookieName, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'lax',
      path: '/console/api/oauth',
    });
    if (typeof provided !== 'string' || !provided) {
      return { ok: false, message: `The sign-in response carries no state. ${START_OVER}` };
    }
    const cookie = readCookie(req, this.cookieName);
    if (!cookie) {
      return {
        ok: false,
        message: `This browser has no sign-in in progress (it expired, or cookies are blocked). ${START_OVER}`,
      };
    }
    if (!this.cookieMatches(cookie, provided)) {
      return { ok: false, message: `The sign-in response does not belong to this browser. ${START_OVER}` };
    }
    const record = await this.records.take(this.recordKey(provided));
    if (record === null) {
      return { ok: false, message: `This sign-in response was already used or has expired. ${START_OVER}` };
    }
    return { ok: true, extras: JSON.parse(record) as StateExtras };
  }

  /** This store as passport-oauth2 takes it (its typings overload what it calls by arity). */
  forPassport(): StateStore {
    return this as unknown as StateStore;
  }

  /** passport-oauth2: called at the redirect; answers the state to send. */
  store(req: Request, _meta: unknown, done: (err: Error | null, state?: string) => void): void {
    this.issue(req).then(
      (state) => done(null, state),
      (error: Error) => done(error),
    );
  }

  /** passport-oauth2: called at the callback; a failure becomes the strategy's `fail`. */
  verify(
    req: Request,
    provided: unknown,
    _meta: unknown,
    done: (err: Error | null, ok?: boolean, info?: { message: string }) => void,
  ): void {
    this.consume(req, provided).then(
      (check) => (check.ok ? done(null, true) : done(null, false, { message: check.message })),
      (error: Error) => done(error),
    );
  }

  private cookieMatches(cookie: string, provided: string): boolean {
    const parts = cookie.split('.');
    if (parts.length !== 4) return false;
    const [provider, expires, state, signature] = parts;
    const expected = Buffer.from(this.sign(`${provider}.${expires}.${state}`));
    const actual = Buffer.from(signature);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return false;
    if (provider !== this.provider || !(Number(expires) > Date.now())) return false;
    const a = Buffer.from(state);
    const b = Buffer.from(provided);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private recordKey(state: string): string {
    return `oauth-state:${this.provider}:${createHash('sha256').update(state).digest('hex')}`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

function responseOf(req: Request): Response {
  if (!req.res) throw new Error('OAuth state needs the response of the request (Express sets req.res)');
  return req.res;
}
