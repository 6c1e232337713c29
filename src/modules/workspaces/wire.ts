import { unixSeconds } from '../../common/http/unix-seconds';
import type { Account } from './account.entity';
import type { WorkspaceMember } from './workspace-member.entity';
import type { Workspace } from './workspace.entity';

/** Dify's console timestamps are integer Unix seconds. */

export function profileOf(account: Account) {
  return {
    id: account.id,
    name: account.name,
    avatar: null,
    avatar_url: null,
    email: account.email,
    is_password_set: Boolean(account.passwordHash),
    interface_language: account.interfaceLanguage,
    interface_theme: 'light',
    timezone: account.timezone,
    last_login_at: unixSeconds(account.lastLoginAt),
    last_login_ip: account.lastLoginIp,
    created_at: unixSeconds(account.createdAt),
  };
}

export function workspaceInfoOf(workspace: Workspace, role: string) {
  return {
    id: workspace.id,
    name: workspace.name,
    plan: 'basic',
    status: workspace.status,
    created_at: unixSeconds(workspace.createdAt),
    role,
    in_trial: null,
    trial_end_reason: null,
    custom_config: {},
  };
}

export function memberOf(account: Account, member: WorkspaceMember) {
  return {
    id: account.id,
    name: account.name,
    avatar: null,
    avatar_url: null,
    email: account.email,
    last_login_at: unixSeconds(account.lastLoginAt),
    last_active_at: unixSeconds(account.lastLoginAt),
    created_at: unixSeconds(member.createdAt),
    role: member.role,
    status: account.status,
  };
}
