/** Dify's workspace roles. Exactly one member of a workspace is its `owner`. */
export const WORKSPACE_ROLES = ['owner', 'admin', 'editor', 'normal', 'dataset_operator'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Roles that can be given to a member (owner only moves by transfer). */
export const ASSIGNABLE_ROLES = ['admin', 'editor', 'normal', 'dataset_operator'] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

/** What `@Roles()` asks for: the owner alone, the privileged (owner, admin) or the editors (+ editor). */
export type RequiredRole = 'owner' | 'admin' | 'editor';

const GRANTS: Record<RequiredRole, readonly WorkspaceRole[]> = {
  owner: ['owner'],
  admin: ['owner', 'admin'],
  editor: ['owner', 'admin', 'editor'],
};

export function roleSatisfies(role: WorkspaceRole, required: RequiredRole): boolean {
  return GRANTS[required].includes(role);
}
