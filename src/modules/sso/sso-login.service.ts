import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, MoreThan, type Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { runInTransaction } from '../../database/transaction';
import { AuditLogService } from '../audit/audit-log.service';
import type { RequestMeta } from '../auth/request-meta';
import { SessionService, type TokenPair } from '../auth/session.service';
import { Account } from '../workspaces/account.entity';
import { Invitation } from '../workspaces/invitation.entity';
import { WorkspaceMember } from '../workspaces/workspace-member.entity';
import { insertOwnedWorkspace } from '../workspaces/owned-workspace';
import { AccountIntegration } from './account-integration.entity';
import type { SsoProfile } from './sso-provider';
import { SsoRefusedException } from './sso.exceptions';
import { newAccount } from '../workspaces/new-account';

export interface SsoOutcome {
  pair: TokenPair;
  accountId: string;
  registered: boolean;
  linked: boolean;
}

/**
 * What happens once a provider vouched for someone: the account linked to (provider, subject), or
 * else the account with the same verified email (linked now), or else a new account when sign-up
 * is allowed (ALLOW_REGISTER, ALLOWED_EMAIL_DOMAINS). An invited (pending) account accepts its
 * invitation; an account without a workspace gets its own when ALLOW_CREATE_WORKSPACE allows.
 * Every refusal explains itself; logins, links, sign-ups and refusals are audited.
 */
@Injectable()
export class SsoLoginService {
  private readonly logger = new Logger(SsoLoginService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    @InjectRepository(AccountIntegration) private readonly integrations: Repository<AccountIntegration>,
    @InjectRepository(WorkspaceMember) private readonly members: Repository<WorkspaceMember>,
    @InjectRepository(Invitation) private readonly invitations: Repository<Invitation>,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
  ) {}

  async signIn(profile: SsoProfile, label: string, meta: RequestMeta): Promise<SsoOutcome> {
    try {
      return await this.attempt(profile, label, meta);
    } catch (error) {
      if (error instanceof SsoRefusedException) {
        await this.audit.record({
          action: 'account.login_failed',
          actorEmail: profile.email ?? null,
          ip: meta.ip,
          userAgent: meta.userAgent,
          metadata: { method: 'sso', provider: profile.provider, reason: error.code },
        });
      }
      throw error;
    }
  }

  private async attempt(profile: SsoProfile, label: string, meta: RequestMeta): Promise<SsoOutcome> {
    const { provider, subject } = profile;
    const integration = await this.integrations.findOneBy({ provider, subject });
    let account = integration ? await this.accounts.findOneBy({ id: integration.accountId }) : null;
    let registered = false;
    let linked = false;
    let activatedIn: string | undefined;

    if (!account) {
      const email = profile.email;
      if (!email || !profile.emailVerified) {
        throw new SsoRefusedException(
          'email_not_verified',
          `Your ${label} account has no verified email address, so it cannot be matched to a Keel account.`,
        );
      }
      account = await this.accounts.findOneBy({ email });
      if (!account) {
        account = await this.register(profile, email);
        registered = true;
      } else {
        this.assertUsable(account);
        // An invitee accepts first: a refused (expired) invitation leaves no link behind.
        if (account.status === 'pending') activatedIn = await this.acceptInvitation(account, profile);
        await this.link(account, profile, integration, label);
        linked = true;
      }
    } else {
      this.assertUsable(account);
      if (profile.email && integration && integration.email !== profile.email) {
        await this.integrations.update({ id: integration.id }, { email: profile.email, updatedAt: new Date() });
      }
    }

    if (account.status === 'pending' && !activatedIn) activatedIn = await this.acceptInvitation(account, profile);
    if (activatedIn) account = await this.accounts.findOneByOrFail({ id: account.id });
    const workspaceId = registered ? await this.currentWorkspaceOf(account.id) : await this.ensureWorkspace(account);

    const pair = await this.sessions.start(account, meta);
    const actor = { actorId: account.id, actorEmail: account.email, ip: meta.ip, userAgent: meta.userAgent };
    const via = { method: 'sso', provider };
    if (registered) await this.audit.record({ action: 'account.registered', workspaceId, ...actor, metadata: via });
    if (linked) await this.audit.record({ action: 'account.sso_linked', workspaceId, ...actor, metadata: via });
    if (activatedIn) {
      await this.audit.record({ action: 'account.activated', workspaceId: activatedIn, ...actor, metadata: via });
    }
    await this.audit.record({ action: 'account.login', workspaceId, ...actor, metadata: via });
    return { pair, accountId: account.id, registered, linked };
  }

  private assertUsable(account: Account): void {
    if (account.status === 'banned' || account.status === 'closed') {
      throw new SsoRefusedException('account_banned', 'This account is disabled. Contact an administrator.');
    }
  }

  /** A new, active account (no password) with the SSO identity, and its own workspace. */
  private async register(profile: SsoProfile, email: string): Promise<Account> {
    const { sso } = this.config;
    if (!sso.allowRegister) {
      throw new SsoRefusedException(
        'registration_disabled',
        `No Keel account uses ${email}, and this server does not allow signing up. Ask an administrator to invite you.`,
      );
    }
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (sso.allowedEmailDomains.length > 0 && !sso.allowedEmailDomains.includes(domain)) {
      throw new SsoRefusedException(
        'email_domain_not_allowed',
        `Accounts with ${domain} email addresses may not sign up here. Ask an administrator to invite you.`,
      );
    }
    if (!sso.allowCreateWorkspace) {
      throw new SsoRefusedException(
        'workspace_not_allowed',
        'You are not a member of any workspace, and this server does not create new ones. Ask an administrator to invite you.',
      );
    }
    const now = new Date();
    const name = (profile.name || email.split('@')[0]).slice(0, 30);
    const account = newAccount({ name, email, passwordHash: null, now });
    try {
      await runInTransaction(this.dataSource, async (manager) => {
        await manager.insert(Account, account);
        await manager.insert(AccountIntegration, this.integrationRow(account.id, profile, now));
        await this.createWorkspace(manager, account, now);
      });
    } catch (error) {
      // The same person signing in twice at once: the other attempt created the account.
      const winner = await this.accounts.findOneBy({ email });
      if (!winner) throw error;
      this.logger.warn({ provider: profile.provider }, 'concurrent SSO sign-up; using the account created first');
      return winner;
    }
    return account;
  }

  /** Links the identity to an existing account (replacing a link to a deleted account). */
  private async link(
    account: Account,
    profile: SsoProfile,
    stale: AccountIntegration | null,
    label: string,
  ): Promise<void> {
    const existing = await this.integrations.findOneBy({ accountId: account.id, provider: profile.provider });
    if (existing && existing.subject !== profile.subject) {
      throw new SsoRefusedException(
        'account_linked_elsewhere',
        `This Keel account is already linked to another ${label} identity.`,
      );
    }
    const now = new Date();
    await runInTransaction(this.dataSource, async (manager) => {
      if (stale) await manager.delete(AccountIntegration, { id: stale.id });
      if (!existing) await manager.insert(AccountIntegration, this.integrationRow(account.id, profile, now));
    });
  }

  /**
   * An invited account signs in through SSO: it becomes active, its open invitations are spent,
   * and it lands in the workspace of the newest one. Answers that workspace.
   */
  private async acceptInvitation(account: Account, profile: SsoProfile): Promise<string> {
    const now = new Date();
    const invitation = await this.invitations.findOne({
      where: { accountId: account.id, acceptedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
    if (!invitation) {
      throw new SsoRefusedException(
        'invitation_expired',
        'Your invitation has expired or was cancelled. Ask an administrator to invite you again.',
      );
    }
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.update(Invitation, { accountId: account.id, acceptedAt: IsNull() }, { acceptedAt: now });
      await manager.update(
        Account,
        { id: account.id },
        {
          status: 'active',
          name: (profile.name || account.name).slice(0, 30),
          initializedAt: now,
          updatedAt: now,
        },
      );
      await manager.update(WorkspaceMember, { accountId: account.id }, { current: false });
      await manager.update(
        WorkspaceMember,
        { accountId: account.id, workspaceId: invitation.workspaceId },
        { current: true },
      );
    });
    return invitation.workspaceId;
  }

  /** The account's current workspace; one of its own if it has none and that is allowed. */
  private async ensureWorkspace(account: Account): Promise<string> {
    const current = await this.currentWorkspaceOf(account.id);
    if (current) return current;
    if (!this.config.sso.allowCreateWorkspace) {
      throw new SsoRefusedException(
        'workspace_not_allowed',
        'You are not a member of any workspace, and this server does not create new ones. Ask an administrator to invite you.',
      );
    }
    const now = new Date();
    return runInTransaction(this.dataSource, (manager) => this.createWorkspace(manager, account, now));
  }

  private async createWorkspace(manager: EntityManager, account: Account, now: Date): Promise<string> {
    return (await insertOwnedWorkspace(manager, account, now)).id;
  }

  private async currentWorkspaceOf(accountId: string): Promise<string | undefined> {
    const member =
      (await this.members.findOneBy({ accountId, current: true })) ??
      (await this.members.findOne({ where: { accountId }, order: { createdAt: 'ASC' } }));
    return member?.workspaceId;
  }

  private integrationRow(accountId: string, profile: SsoProfile, now: Date): AccountIntegration {
    return {
      id: randomUUID(),
      accountId,
      provider: profile.provider,
      subject: profile.subject.slice(0, 255),
      email: profile.email ?? null,
      createdAt: now,
      updatedAt: now,
    };
  }
}
