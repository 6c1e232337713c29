import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppConfig } from '../config/app-config';
import { runInTransaction } from '../database/transaction';
import { PasswordHasher } from '../modules/auth/password.hasher';
import { passwordSchema } from '../modules/auth/password.policy';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Setup } from '../modules/auth/setup.entity';
import { Account } from '../modules/workspaces/account.entity';
import { insertOwnedWorkspace } from '../modules/workspaces/owned-workspace';
import { WorkspaceMember } from '../modules/workspaces/workspace-member.entity';
import { Workspace } from '../modules/workspaces/workspace.entity';
import { cliAudit } from './cli-audit';
import { openCurrentSchema } from './cli-database';
import type { CommandOutput } from './command-output';
import { newAccount } from '../modules/workspaces/new-account';
import { UsageError } from './usage.error';

const email = z.email({ error: 'is not an e-mail address' });
const SETUP_ID = 'setup';

function checked(input: { email?: string; password: string }): { email: string; password: string } {
  const address = email.safeParse(input.email?.trim().toLowerCase());
  if (!address.success) throw new UsageError(`--email ${address.error.issues[0].message}`);
  const password = passwordSchema.safeParse(input.password);
  if (!password.success) throw new UsageError(`the password: ${password.error.issues[0].message}`);
  return { email: address.data, password: password.data };
}

/**
 * `keel create-admin --email E --name N` (the password on standard input): on a server not set up
 * yet, the first-run setup (the owner and their workspace); afterwards, a new account made admin of
 * a workspace (`--workspace <id>`, default the oldest). An existing e-mail is refused.
 */
export async function createAdmin(
  config: AppConfig,
  input: { email?: string; name?: string; workspace?: string; password: string },
  out: CommandOutput,
): Promise<number> {
  const { email: address, password } = checked(input);
  const name = input.name?.trim() || address.split('@')[0];
  const dataSource = await openCurrentSchema(config);
  try {
    if (await dataSource.getRepository(Account).existsBy({ email: address })) {
      out.error(`keel create-admin: ${address} already has an account (keel reset-password sets its password).`);
      return 1;
    }
    const now = new Date();
    const account = newAccount({
      name,
      email: address,
      passwordHash: await new PasswordHasher().hash(password),
      now,
    });
    const setUp = await dataSource.getRepository(Setup).existsBy({ id: SETUP_ID });
    const workspace = await runInTransaction(dataSource, async (manager) => {
      if (!setUp) {
        await manager.insert(Setup, { id: SETUP_ID, setupAt: now });
        await manager.insert(Account, account);
        return insertOwnedWorkspace(manager, account, now);
      }
      const target = input.workspace
        ? await manager.findOneBy(Workspace, { id: input.workspace })
        : (await manager.find(Workspace, { order: { createdAt: 'ASC' }, take: 1 }))[0];
      if (!target) throw new UsageError(`--workspace ${input.workspace ?? ''}: no such workspace`);
      await manager.insert(Account, account);
      await manager.insert(WorkspaceMember, {
        id: randomUUID(),
        workspaceId: target.id,
        accountId: account.id,
        role: 'admin',
        current: true,
        invitedBy: null,
        createdAt: now,
        updatedAt: now,
      });
      return target;
    });
    await cliAudit(dataSource, {
      action: setUp ? 'account.registered' : 'workspace.setup',
      workspaceId: workspace.id,
      actor: account,
      target: { type: 'account', id: account.id },
    });
    out.say(
      setUp
        ? `Created ${address}, admin of workspace "${workspace.name}" (${workspace.id}).`
        : `Set up Keel: ${address} owns the new workspace "${workspace.name}" (${workspace.id}).`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

/** `keel reset-password --email E` (the new password on standard input); every session of the account ends. */
export async function resetPassword(
  config: AppConfig,
  input: { email?: string; password: string },
  out: CommandOutput,
): Promise<number> {
  const { email: address, password } = checked(input);
  const dataSource = await openCurrentSchema(config);
  try {
    const accounts = dataSource.getRepository(Account);
    const account = await accounts.findOneBy({ email: address });
    if (!account) {
      out.error(`keel reset-password: no account ${address}.`);
      return 1;
    }
    const passwordHash = await new PasswordHasher().hash(password);
    await runInTransaction(dataSource, async (manager) => {
      await manager.update(Account, { id: account.id }, { passwordHash, updatedAt: new Date() });
      // Signed-in sessions end: access tokens carry the version, refresh tokens are revoked.
      await manager.increment(Account, { id: account.id }, 'tokenVersion', 1);
      await manager
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ revokedAt: new Date() })
        .where('account_id = :id AND revoked_at IS NULL', { id: account.id })
        .execute();
    });
    await cliAudit(dataSource, {
      action: 'account.password_reset',
      workspaceId: null,
      actor: account,
      target: { type: 'account', id: account.id },
    });
    out.say(`Set a new password for ${address}; its sessions have ended.`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
