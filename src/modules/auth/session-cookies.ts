import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { SecretKeys } from '../../common/crypto/secret-keys';
import { readCookie } from '../../common/http/cookies';
import { AppConfig } from '../../config/app-config';
import type { TokenPair } from './session.service';

/** Dify's cookie names: the browser console keeps its session in these after an SSO sign-in. */
export const ACCESS_TOKEN_COOKIE = 'access_token';
export const REFRESH_TOKEN_COOKIE = 'refresh_token';
export const CSRF_TOKEN_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';

const CONSOLE_PATH = '/console/api';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const isUnsafeMethod = (method: string) => UNSAFE_METHODS.has(method.toUpperCase());

/**
 * The console session as cookies: access and refresh tokens HttpOnly (JavaScript never sees them),
 * plus a CSRF token the web app reads and echoes in `X-CSRF-Token` on unsafe requests. The CSRF
 * token is an HMAC of the refresh token, so it is bound to this session: a CSRF cookie planted by
 * someone else does not match. All are `SameSite=Lax`, and `Secure` when CONSOLE_API_URL is https.
 */
@Injectable()
export class SessionCookies {
  private readonly secure: boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly keys: SecretKeys,
  ) {
    this.secure = config.sso.consoleApiUrl.startsWith('https://');
  }

  set(res: Response, pair: TokenPair): void {
    const base: CookieOptions = { sameSite: 'lax', secure: this.secure };
    const refreshMaxAge = this.config.auth.refreshTokenTtlMs;
    res.cookie(ACCESS_TOKEN_COOKIE, pair.access_token, {
      ...base,
      httpOnly: true,
      path: CONSOLE_PATH,
      maxAge: this.config.auth.accessTokenTtlSeconds * 1000,
    });
    res.cookie(REFRESH_TOKEN_COOKIE, pair.refresh_token, {
      ...base,
      httpOnly: true,
      path: CONSOLE_PATH,
      maxAge: refreshMaxAge,
    });
    // Readable by the web app on every page, so path `/`.
    res.cookie(CSRF_TOKEN_COOKIE, this.csrfFor(pair.refresh_token), {
      ...base,
      httpOnly: false,
      path: '/',
      maxAge: refreshMaxAge,
    });
  }

  clear(res: Response): void {
    const base: CookieOptions = { sameSite: 'lax', secure: this.secure };
    res.clearCookie(ACCESS_TOKEN_COOKIE, { ...base, httpOnly: true, path: CONSOLE_PATH });
    res.clearCookie(REFRESH_TOKEN_COOKIE, { ...base, httpOnly: true, path: CONSOLE_PATH });
    res.clearCookie(CSRF_TOKEN_COOKIE, { ...base, path: '/' });
  }

  accessToken(req: Request): string | undefined {
    return readCookie(req, ACCESS_TOKEN_COOKIE) || undefined;
  }

  refreshToken(req: Request): string | undefined {
    return readCookie(req, REFRESH_TOKEN_COOKIE) || undefined;
  }

  /** Whether `X-CSRF-Token` carries the CSRF token of the session in the request's cookies. */
  csrfValid(req: Request): boolean {
    const header = req.headers[CSRF_HEADER];
    const refresh = this.refreshToken(req);
    if (typeof header !== 'string' || !header || !refresh) return false;
    const expected = Buffer.from(this.csrfFor(refresh));
    const actual = Buffer.from(header);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private csrfFor(refreshToken: string): string {
    return createHmac('sha256', this.keys.get('console-csrf')).update(refreshToken).digest('base64url');
  }
}
