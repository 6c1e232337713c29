import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { SecretKeys } from '../../common/crypto/secret-keys';

/** Dify's console passport: `{user_id, exp, iss, sub: "Console API Passport"}`, plus Keel's token version. */
export interface AccessTokenClaims {
  user_id: string;
  /** The account's token version when issued; a password change bumps it. */
  ver: number;
}

const ISSUER = 'SELF_HOSTED';
const SUBJECT = 'Console API Passport';

/** Console access tokens: JWT HS256 signed with a key derived from SECRET_KEY. */
@Injectable()
export class AccessTokenService {
  private readonly jwt: JwtService;

  constructor(
    keys: SecretKeys,
    private readonly config: AppConfig,
  ) {
    this.jwt = new JwtService({ secret: keys.get('access-token-signing') });
  }

  sign(accountId: string, tokenVersion: number): string {
    const claims: AccessTokenClaims = { user_id: accountId, ver: tokenVersion };
    return this.jwt.sign(claims, {
      algorithm: 'HS256',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      issuer: ISSUER,
      subject: SUBJECT,
    });
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  verify(token: string): AccessTokenClaims | undefined {
    try {
      const claims = this.jwt.verify<AccessTokenClaims & { sub: string }>(token, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        subject: SUBJECT,
      });
      if (typeof claims.user_id !== 'string' || typeof claims.ver !== 'number') return undefined;
      return { user_id: claims.user_id, ver: claims.ver };
    } catch {
      return undefined;
    }
  }
}
