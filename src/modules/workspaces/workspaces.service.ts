import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { runInTransaction } from '../../database/transaction';
import { DataSource, In, type Repository } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { NotFoundException } from '../auth/auth.exceptions';
import type { WorkspaceCaller } from '../auth/console-caller';
import type { RequestMeta } from '../auth/request-meta';
import { WorkspaceMember } from './workspace-member.entity';
import { Workspace } from './workspace.entity';

/** Workspaces as their members see them; every lookup goes through the caller's memberships. */
@Injectable()
export class WorkspacesService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    @InjectRepository(WorkspaceMember) private readonly members: Repository<WorkspaceMember>,
    private readonly audit: AuditLogService,
  ) {}

  async listFor(accountId: string): Promise<Array<{ workspace: Workspace; member: WorkspaceMember }>> {
    const memberships = await this.members.find({ where: { accountId }, order: { createdAt: 'ASC' } });
    if (memberships.length === 0) return [];
    const workspaces = await this.workspaces.findBy({ id: In(memberships.map((m) => m.workspaceId)) });
    const byId = new Map(workspaces.map((w) => [w.id, w]));
    return memberships
      .filter((m) => byId.has(m.workspaceId))
      .map((member) => ({ workspace: byId.get(member.workspaceId)!, member }));
  }

  async current(caller: WorkspaceCaller): Promise<Workspace> {
    const workspace = await this.workspaces.findOneBy({ id: caller.workspaceId });
    if (!workspace) throw new NotFoundException('Workspace not found.');
    return workspace;
  }

  /** 404 for a workspace the caller is not a member of, whether or not it exists. */
  async switchTo(accountId: string, workspaceId: string): Promise<{ workspace: Workspace; role: string }> {
    const target = await this.members.findOneBy({ accountId, workspaceId });
    const workspace = target ? await this.workspaces.findOneBy({ id: workspaceId }) : null;
    if (!target || !workspace) throw new NotFoundException('Workspace not found.');
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.update(WorkspaceMember, { accountId, current: true }, { current: false });
      await manager.update(WorkspaceMember, { id: target.id }, { current: true });
    });
    return { workspace, role: target.role };
  }

  async rename(caller: WorkspaceCaller, name: string, meta: RequestMeta): Promise<Workspace> {
    const workspace = await this.current(caller);
    await this.workspaces.update({ id: workspace.id }, { name, updatedAt: new Date() });
    await this.audit.recordBy(caller, meta, {
      action: 'workspace.renamed',
      target: { type: 'workspace', id: workspace.id },
      metadata: { from: workspace.name, to: name },
    });
    return { ...workspace, name };
  }
}
