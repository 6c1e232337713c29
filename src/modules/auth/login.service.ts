import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AuditLogService } from '../audit/audit-log.service';
import { Account } from '../workspaces/account.entity';
import { WorkspaceMember } from '../workspaces/workspace-member.entity';
import { AuthenticationFailedException, PasswordLoginDisabledException } from './auth.exceptions';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password.hasher';
import type { RequestMeta } from './request-meta';
import { SessionService, type TokenPair } from './session.service';

/** Email + password sign-in, rate limited, audited; one answer for every kind of failure. */
@Injectable()
export class LoginService {
  constructor(
    private readonly config: AppConfig,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    @InjectRepository(WorkspaceMember) private readonly members: Repository<WorkspaceMember>,
    private readonly hasher: PasswordHasher,
    private readonly limiter: LoginRateLimiter,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
  ) {}

  async login(email: string, password: string, meta: RequestMeta): Promise<TokenPair> {
    if (!this.config.auth.passwordLoginEnabled) throw new PasswordLoginDisabledException();
    await this.limiter.assertAllowed(email, meta.ip);
    const account = await this.accounts.findOneBy({ email });
    const matches = await this.hasher.verify(password, account?.passwordHash);
    const workspaceId = account ? await this.currentWorkspaceOf(account.id) : null;
    if (!account || !matches || account.status !== 'active') {
      await this.limiter.recordFailure(email, meta.ip);
      await this.audit.record({
        action: 'account.login_failed',
        workspaceId,
        actorId: account?.id,
        actorEmail: email,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      throw new AuthenticationFailedException();
    }
    await this.limiter.recordSuccess(email);
    const pair = await this.sessions.start(account, meta);
    await this.audit.record({
      action: 'account.login',
      workspaceId,
      actorId: account.id,
      actorEmail: account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
      metadata: { method: 'password' },
    });
    return pair;
  }

  private async currentWorkspaceOf(accountId: string): Promise<string | null> {
    const member =
      (await this.members.findOneBy({ accountId, current: true })) ??
      (await this.members.findOne({ where: { accountId }, order: { createdAt: 'ASC' } }));
    return member?.workspaceId ?? null;
  }
}
