import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { AuditLogService } from '../audit/audit-log.service';
import type { ConsoleCaller } from '../auth/console-caller';
import { PasswordHasher } from '../auth/password.hasher';
import type { RequestMeta } from '../auth/request-meta';
import { SessionService } from '../auth/session.service';
import { Account } from './account.entity';

/** The signed-in account's own settings. */
@Injectable()
export class AccountService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
  ) {}

  async rename(account: Account, name: string): Promise<Account> {
    await this.accounts.update({ id: account.id }, { name, updatedAt: new Date() });
    return { ...account, name };
  }

  /** Needs the current password (when one is set); ends every session, this one included. */
  async changePassword(
    caller: ConsoleCaller,
    input: { password?: string; new_password: string; repeat_new_password: string },
    meta: RequestMeta,
  ): Promise<void> {
    const { account } = caller;
    if (input.new_password !== input.repeat_new_password) {
      throw new ApiException(400, 'repeat_password_not_match', 'New password and repeat password do not match.');
    }
    if (account.passwordHash && !(await this.hasher.verify(input.password ?? '', account.passwordHash))) {
      throw new ApiException(400, 'current_password_incorrect', 'The current password is incorrect.');
    }
    const passwordHash = await this.hasher.hash(input.new_password);
    await this.accounts.update({ id: account.id }, { passwordHash, updatedAt: new Date() });
    await this.sessions.endAllFor(account.id);
    await this.audit.record({
      action: 'account.password_changed',
      workspaceId: caller.workspaceId,
      actorId: account.id,
      actorEmail: account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }
}
