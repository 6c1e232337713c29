import type { Request } from 'express';
import type { Account } from '../workspaces/account.entity';
import type { WorkspaceRole } from '../workspaces/workspace-role';

/** Who is calling a console route, as the authentication guard established it. */
export interface ConsoleCaller {
  account: Account;
  /** The caller's current workspace and role there; absent if the account belongs to none. */
  workspaceId?: string;
  role?: WorkspaceRole;
}

export interface WorkspaceCaller extends ConsoleCaller {
  workspaceId: string;
  role: WorkspaceRole;
}

export type ConsoleRequest = Request & { consoleCaller?: ConsoleCaller };

export const CONSOLE_PREFIX = '/console/api';

export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}
