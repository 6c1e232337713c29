import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { runInTransaction } from '../../database/transaction';
import { DataSource, type EntityManager, IsNull, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { AuditLogService } from '../audit/audit-log.service';
import type { WorkspaceCaller } from '../auth/console-caller';
import { PasswordHasher } from '../auth/password.hasher';
import { hashToken } from '../auth/refresh-token.service';
import type { RequestMeta } from '../auth/request-meta';
import { SessionService, type TokenPair } from '../auth/session.service';
import { MailComposer } from '../mail/mail-composer.service';
import { Account } from './account.entity';
import { Invitation } from './invitation.entity';
import { WorkspaceMember } from './workspace-member.entity';
import { Workspace } from './workspace.entity';
import type { AssignableRole } from './workspace-role';

const alreadyActivated = () =>
  new ApiException(403, 'already_activate', 'The invitation link is invalid or the account is already activated.');

export interface ActivationInput {
  token: string;
  workspace_id?: string;
  email?: string;
  name: string;
  password: string;
  interface_language?: string;
  timezone?: string;
}

/**
 * Invitations by email. A new address gets a `pending` account and a membership at once (so the
 * member list shows it) plus a single-use activation link; an existing account is added directly
 * and told by mail.
 */
@Injectable()
export class InvitationService {
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    @InjectRepository(Invitation) private readonly invitations: Repository<Invitation>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly mail: MailComposer,
    private readonly audit: AuditLogService,
  ) {}

  /** Returns the invitee's account and the link mailed to it. */
  async invite(
    caller: WorkspaceCaller,
    email: string,
    role: AssignableRole,
  ): Promise<{ accountId: string; url: string }> {
    const workspace = await this.workspaces.findOneByOrFail({ id: caller.workspaceId });
    const existing = await this.accounts.findOneBy({ email });
    const now = new Date();
    let url: string;
    let accountId: string;
    await runInTransaction(this.dataSource, async (manager) => {
      let account = existing;
      if (account) {
        const member = await manager.findOneBy(WorkspaceMember, { workspaceId: workspace.id, accountId: account.id });
        if (member && account.status !== 'pending') {
          throw new ApiException(
            400,
            'account_already_in_tenant',
            'The account is already a member of this workspace.',
          );
        }
        if (member) await manager.update(WorkspaceMember, { id: member.id }, { role, updatedAt: now });
        else await this.addMember(manager, workspace.id, account.id, role, caller.account.id, now);
      } else {
        account = {
          id: randomUUID(),
          name: email.split('@')[0].slice(0, 30),
          email,
          passwordHash: null,
          status: 'pending',
          tokenVersion: 0,
          interfaceLanguage: 'en-US',
          timezone: 'UTC',
          lastLoginAt: null,
          lastLoginIp: null,
          initializedAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await manager.insert(Account, account);
        await this.addMember(manager, workspace.id, account.id, role, caller.account.id, now);
      }
      accountId = account.id;
      if (account.status === 'pending') {
        // A fresh link replaces any earlier one for this workspace.
        await this.cancel(manager, workspace.id, account.id);
        const token = randomBytes(32).toString('hex');
        await manager.insert(Invitation, {
          id: randomUUID(),
          workspaceId: workspace.id,
          accountId: account.id,
          email,
          tokenHash: hashToken(token),
          invitedBy: caller.account.id,
          expiresAt: new Date(now.getTime() + this.config.auth.invitationTtlHours * 3_600_000),
          acceptedAt: null,
          createdAt: now,
        });
        const query = new URLSearchParams({ workspace_id: workspace.id, email, token });
        url = `${this.config.consoleWebUrl}/activate?${query.toString()}`;
      } else {
        url = `${this.config.consoleWebUrl}/signin`;
      }
    });
    await this.mail.workspaceInvitation(email, {
      inviterName: caller.account.name,
      workspaceName: workspace.name,
      acceptUrl: url!,
      expiresInHours: this.config.auth.invitationTtlHours,
    });
    return { accountId: accountId!, url: url! };
  }

  async cancel(manager: EntityManager, workspaceId: string, accountId: string): Promise<void> {
    await manager.delete(Invitation, { workspaceId, accountId, acceptedAt: IsNull() });
  }

  /** The open invitation a link stands for, if any (the link's workspace and email must match). */
  async find(token: string, workspaceId?: string, email?: string) {
    const invitation = await this.invitations.findOneBy({ tokenHash: hashToken(token), acceptedAt: IsNull() });
    if (!invitation || invitation.expiresAt.getTime() <= Date.now()) return undefined;
    if (workspaceId && workspaceId !== invitation.workspaceId) return undefined;
    if (email && email.trim().toLowerCase() !== invitation.email) return undefined;
    const [workspace, account] = await Promise.all([
      this.workspaces.findOneBy({ id: invitation.workspaceId }),
      this.accounts.findOneBy({ id: invitation.accountId }),
    ]);
    if (!workspace || account?.status !== 'pending') return undefined;
    return { invitation, workspace, account };
  }

  /** Sets the invitee's name and password, activates the account and signs it in. */
  async activate(input: ActivationInput, meta: RequestMeta): Promise<TokenPair> {
    const found = await this.find(input.token, input.workspace_id, input.email);
    if (!found) throw alreadyActivated();
    const passwordHash = await this.hasher.hash(input.password);
    const now = new Date();
    await runInTransaction(this.dataSource, async (manager) => {
      const claimed = await manager.update(
        Invitation,
        { id: found.invitation.id, acceptedAt: IsNull() },
        { acceptedAt: now },
      );
      if (!claimed.affected) throw alreadyActivated();
      await manager.update(
        Account,
        { id: found.account.id },
        {
          name: input.name,
          passwordHash,
          status: 'active',
          interfaceLanguage: input.interface_language ?? found.account.interfaceLanguage,
          timezone: input.timezone ?? found.account.timezone,
          initializedAt: now,
          updatedAt: now,
        },
      );
      // Other workspaces' links for the same pending account are spent too.
      await manager.delete(Invitation, { accountId: found.account.id, acceptedAt: IsNull() });
      // The invited workspace is where the new member lands.
      await manager.update(WorkspaceMember, { accountId: found.account.id }, { current: false });
      await manager.update(
        WorkspaceMember,
        { accountId: found.account.id, workspaceId: found.workspace.id },
        { current: true },
      );
    });
    const account = await this.accounts.findOneByOrFail({ id: found.account.id });
    await this.audit.record({
      action: 'account.activated',
      workspaceId: found.workspace.id,
      actorId: account.id,
      actorEmail: account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    return this.sessions.start(account, meta);
  }

  private async addMember(
    manager: EntityManager,
    workspaceId: string,
    accountId: string,
    role: AssignableRole,
    invitedBy: string,
    now: Date,
  ): Promise<void> {
    const hasCurrent = await manager.findOneBy(WorkspaceMember, { accountId, current: true });
    await manager.insert(WorkspaceMember, {
      id: randomUUID(),
      workspaceId,
      accountId,
      role,
      current: !hasCurrent,
      invitedBy,
      createdAt: now,
      updatedAt: now,
    });
  }
}
