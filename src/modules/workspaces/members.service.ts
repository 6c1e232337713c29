import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { runInTransaction } from '../../database/transaction';
import { DataSource, In, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { AuditLogService } from '../audit/audit-log.service';
import { NotFoundException } from '../auth/auth.exceptions';
import type { WorkspaceCaller } from '../auth/console-caller';
import { PasswordHasher } from '../auth/password.hasher';
import type { RequestMeta } from '../auth/request-meta';
import { Account } from './account.entity';
import { InvitationService } from './invitation.service';
import { WorkspaceMember } from './workspace-member.entity';
import type { AssignableRole } from './workspace-role';

export type InvitationResult =
  | { status: 'success'; email: string; url: string }
  | { status: 'failed'; email: string; message: string };

/**
 * Members of the caller's current workspace. Every member lookup is `(workspace, account)`, so an
 * id from another workspace is simply not found (404), never forbidden.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    @InjectRepository(WorkspaceMember) private readonly members: Repository<WorkspaceMember>,
    private readonly invitations: InvitationService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditLogService,
  ) {}

  async list(workspaceId: string): Promise<Array<{ account: Account; member: WorkspaceMember }>> {
    const members = await this.members.find({ where: { workspaceId }, order: { createdAt: 'ASC' } });
    if (members.length === 0) return [];
    const accounts = await this.accounts.findBy({ id: In(members.map((m) => m.accountId)) });
    const byId = new Map(accounts.map((a) => [a.id, a]));
    return members
      .filter((m) => byId.has(m.accountId))
      .map((member) => ({ account: byId.get(member.accountId)!, member }));
  }

  async invite(
    caller: WorkspaceCaller,
    emails: string[],
    role: AssignableRole,
    meta: RequestMeta,
  ): Promise<InvitationResult[]> {
    const results: InvitationResult[] = [];
    for (const email of [...new Set(emails)]) {
      try {
        const { accountId, url } = await this.invitations.invite(caller, email, role);
        results.push({ status: 'success', email, url });
        await this.audit.recordBy(caller, meta, {
          action: 'member.invited',
          target: { type: 'account', id: accountId },
          metadata: { email, role },
        });
      } catch (error) {
        if (!(error instanceof ApiException)) throw error;
        results.push({ status: 'failed', email, message: error.message });
      }
    }
    return results;
  }

  async updateRole(caller: WorkspaceCaller, accountId: string, role: AssignableRole, meta: RequestMeta): Promise<void> {
    const member = await this.otherMember(caller, accountId);
    if (member.role === 'owner') throw new ApiException(403, 'forbidden', "The owner's role changes only by transfer.");
    if (member.role === role) return;
    await this.members.update({ id: member.id }, { role, updatedAt: new Date() });
    await this.audit.recordBy(caller, meta, {
      action: 'member.role_changed',
      target: { type: 'account', id: accountId },
      metadata: { from: member.role, to: role },
    });
  }

  async remove(caller: WorkspaceCaller, accountId: string, meta: RequestMeta): Promise<void> {
    const member = await this.otherMember(caller, accountId);
    if (member.role === 'owner') throw new ApiException(403, 'forbidden', 'The owner cannot be removed.');
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.delete(WorkspaceMember, { id: member.id });
      await this.invitations.cancel(manager, caller.workspaceId, accountId);
    });
    await this.audit.recordBy(caller, meta, {
      action: 'member.removed',
      target: { type: 'account', id: accountId },
      metadata: { role: member.role },
    });
  }

  /** The owner hands the workspace to another active member and becomes an admin. */
  async transferOwnership(
    caller: WorkspaceCaller,
    accountId: string,
    password: string,
    meta: RequestMeta,
  ): Promise<void> {
    const member = await this.otherMember(caller, accountId);
    if (!(await this.hasher.verify(password, caller.account.passwordHash))) {
      throw new ApiException(400, 'current_password_incorrect', 'The current password is incorrect.');
    }
    const target = await this.accounts.findOneBy({ id: accountId });
    if (target?.status !== 'active') {
      throw new ApiException(400, 'member_not_active', 'Ownership can only go to an active member.');
    }
    const now = new Date();
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.update(
        WorkspaceMember,
        { workspaceId: caller.workspaceId, accountId: caller.account.id },
        { role: 'admin', updatedAt: now },
      );
      await manager.update(WorkspaceMember, { id: member.id }, { role: 'owner', updatedAt: now });
    });
    await this.audit.recordBy(caller, meta, {
      action: 'member.owner_transferred',
      target: { type: 'account', id: accountId },
    });
  }

  /** A member of the caller's workspace other than the caller; 404 otherwise. */
  private async otherMember(caller: WorkspaceCaller, accountId: string): Promise<WorkspaceMember> {
    const member = await this.members.findOneBy({ workspaceId: caller.workspaceId, accountId });
    if (!member) throw new NotFoundException('Member not found.');
    if (accountId === caller.account.id)
      throw new ApiException(400, 'cannot_operate_self', 'You cannot do this to yourself.');
    return member;
  }
}
