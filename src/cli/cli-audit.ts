import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../modules/audit/audit-log.entity';
import type { AuditAction } from '../modules/audit/audit-log.service';

/**
 * An audit entry for what an operator did with `keel`: written straight to the table, since the
 * commands run without the server's container. The user agent says it came from the command line.
 */
export async function cliAudit(
  dataSource: DataSource,
  event: {
    action: AuditAction;
    workspaceId: string | null;
    actor?: { id: string; email: string };
    target?: { type: string; id: string };
    /** Never secrets: workspace admins read this. */
    metadata?: Record<string, unknown>;
  },
): Promise<void> {
  await dataSource.getRepository(AuditLog).insert({
    id: randomUUID(),
    workspaceId: event.workspaceId,
    actorId: event.actor?.id ?? null,
    actorEmail: event.actor?.email ?? null,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    ip: null,
    userAgent: 'keel cli',
    metadata: { via: 'keel cli', ...event.metadata },
    createdAt: new Date(),
  });
}
