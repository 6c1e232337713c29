import { roleSatisfies, WORKSPACE_ROLES } from './workspace-role';

describe('roleSatisfies', () => {
  it('grants owner-only, privileged (owner, admin) and editing (owner, admin, editor) as Dify does', () => {
    const holders = (required: 'owner' | 'admin' | 'editor') =>
      WORKSPACE_ROLES.filter((r) => roleSatisfies(r, required));
    expect(holders('owner')).toEqual(['owner']);
    expect(holders('admin')).toEqual(['owner', 'admin']);
    expect(holders('editor')).toEqual(['owner', 'admin', 'editor']);
  });
});
