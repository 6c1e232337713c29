import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Account } from '../workspaces/account.entity';
import { AccessTokenService } from './access-token.service';
import { UnauthorizedException } from './auth.exceptions';
import { RefreshTokenService } from './refresh-token.service';
import type { RequestMeta } from './request-meta';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** Signed-in sessions: an access token (JWT) and a rotating refresh token. */
@Injectable()
export class SessionService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  async start(account: Account, meta: RequestMeta): Promise<TokenPair> {
    await this.accounts.update({ id: account.id }, { lastLoginAt: new Date(), lastLoginIp: meta.ip.slice(0, 64) });
    return {
      access_token: this.accessTokens.sign(account.id, account.tokenVersion),
      refresh_token: await this.refreshTokens.issue(account.id),
    };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.refreshTokens.rotate(refreshToken);
    if (!outcome.ok) throw new UnauthorizedException('Invalid or expired refresh token.');
    const account = await this.accounts.findOneBy({ id: outcome.accountId });
    if (!account || account.status !== 'active') {
      await this.refreshTokens.revoke(outcome.token);
      throw new UnauthorizedException('Invalid or expired refresh token.');
    }
    return { access_token: this.accessTokens.sign(account.id, account.tokenVersion), refresh_token: outcome.token };
  }

  /** Ends the refresh token's session; returns its account when the token was known. */
  end(refreshToken: string): Promise<string | undefined> {
    return this.refreshTokens.revoke(refreshToken);
  }

  /** After a password change or reset: every session ends, access tokens included. */
  async endAllFor(accountId: string): Promise<void> {
    await this.accounts.increment({ id: accountId }, 'tokenVersion', 1);
    await this.refreshTokens.revokeAllFor(accountId);
  }
}
