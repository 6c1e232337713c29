import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { WorkspaceMember } from './workspace-member.entity';
import { Workspace } from './workspace.entity';

/**
 * A new workspace named after its owner ("Ada's Workspace"), with the account as its owner and
 * current membership — inside the caller's transaction.
 */
export async function insertOwnedWorkspace(
  manager: EntityManager,
  owner: { id: string; name: string },
  now: Date,
): Promise<Workspace> {
  const workspace: Workspace = {
    id: randomUUID(),
    name: `${owner.name}'s Workspace`,
    status: 'normal',
    createdAt: now,
    updatedAt: now,
  };
  await manager.insert(Workspace, workspace);
  await manager.insert(WorkspaceMember, {
    id: randomUUID(),
    workspaceId: workspace.id,
    accountId: owner.id,
    role: 'owner',
    current: true,
    invitedBy: null,
    createdAt: now,
    updatedAt: now,
  });
  return workspace;
}
