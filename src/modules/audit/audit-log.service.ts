import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditLog } from './audit-log.entity';

/** What features record. Extend the union as features add events; the wire value is the string. */
export type AuditAction =
  | 'account.login'
  | 'account.login_failed'
  | 'account.logout'
  | 'account.password_changed'
  | 'account.password_reset'
  | 'account.activated'
  | 'account.registered'
  | 'account.sso_linked'
  | 'workspace.setup'
  | 'workspace.renamed'
  | 'workspace.exported'
  | 'workspace.imported'
  | 'security.secret_key_rotated'
  | 'member.invited'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.owner_transferred'
  | 'provider.credentials_saved'
  | 'provider.credentials_deleted'
  | 'app.created'
  | 'app.deleted'
  | 'app.api_key_created'
  | 'app.api_key_deleted'
  | 'workspace.api_key_created'
  | 'workspace.api_key_deleted'
  | 'tool_provider.created'
  | 'tool_provider.updated'
  | 'tool_provider.deleted'
  | 'plugin.uploaded'
  | 'plugin.installed'
  | 'plugin.install_failed'
  | 'plugin.uninstalled'
  | 'plugin.upgraded'
  | 'plugin.endpoint_created'
  | 'plugin.endpoint_enabled'
  | 'plugin.endpoint_disabled'
  | 'plugin.endpoint_removed'
  | 'plugin.enabled'
  | 'plugin.disabled'
  | 'plugin.permission_changed';

export interface AuditEvent {
  action: AuditAction;
  workspaceId?: string | null;
  actorId?: string | null;
  actorEmail?: string | null;
  target?: { type: string; id: string };
  ip?: string | null;
  userAgent?: string | null;
  /** Never secrets: this is shown to workspace admins. */
  metadata?: Record<string, unknown>;
}

export interface AuditQuery {
  workspaceId: string;
  page: number;
  limit: number;
  action?: string;
  actorId?: string;
}

/**
 * The audit trail other features write to. Recording never fails the caller's request: a lost
 * audit row is logged as an error instead.
 */
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger(AuditLogService.name);

  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  async record(event: AuditEvent): Promise<void> {
    try {
      await this.logs.insert({
        id: randomUUID(),
        workspaceId: event.workspaceId ?? null,
        actorId: event.actorId ?? null,
        actorEmail: event.actorEmail ?? null,
        action: event.action,
        targetType: event.target?.type ?? null,
        targetId: event.target?.id ?? null,
        ip: event.ip?.slice(0, 64) ?? null,
        userAgent: event.userAgent?.slice(0, 512) ?? null,
        metadata: event.metadata ?? null,
        createdAt: new Date(),
      } as QueryDeepPartialEntity<AuditLog>);
    } catch (error) {
      this.logger.error({ err: error, action: event.action }, 'audit log entry not recorded');
    }
  }

  /** An event done by a console caller in its current workspace, from the request `meta`. */
  recordBy(
    caller: { account: { id: string; email: string }; workspaceId: string },
    meta: { ip: string | null; userAgent: string | null },
    event: Pick<AuditEvent, 'action' | 'target' | 'metadata'>,
  ): Promise<void> {
    return this.record({
      ...event,
      workspaceId: caller.workspaceId,
      actorId: caller.account.id,
      actorEmail: caller.account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }

  /** One page of a workspace's log, newest first. */
  async page(query: AuditQuery): Promise<{ rows: AuditLog[]; total: number }> {
    const where: FindOptionsWhere<AuditLog> = { workspaceId: query.workspaceId };
    if (query.action) where.action = query.action;
    if (query.actorId) where.actorId = query.actorId;
    const [rows, total] = await this.logs.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return { rows, total };
  }
}
