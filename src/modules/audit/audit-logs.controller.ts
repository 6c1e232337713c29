import { unixSeconds } from '../../common/http/unix-seconds';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { AuditLogService } from './audit-log.service';

const AuditLogQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(99_999).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  action: z.string().trim().min(1).max(64).optional(),
  actor_id: z.string().trim().min(1).max(36).optional(),
});
class AuditLogQueryDto extends createZodDto(AuditLogQuerySchema) {}

@ApiTags('console: workspaces')
@ApiBearerAuth()
@Controller('console/api/workspaces/current/audit-logs')
export class AuditLogsController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The current workspace's audit log, newest first (owner, admin)" })
  @ApiResponse({ status: 200, description: '{data, has_more, limit, total, page}' })
  async list(@CurrentCaller() caller: WorkspaceCaller, @Query() query: AuditLogQueryDto) {
    const { rows, total } = await this.audit.page({
      workspaceId: caller.workspaceId,
      page: query.page,
      limit: query.limit,
      action: query.action,
      actorId: query.actor_id,
    });
    return {
      data: rows.map((r) => ({
        id: r.id,
        action: r.action,
        actor_id: r.actorId,
        actor_email: r.actorEmail,
        target_type: r.targetType,
        target_id: r.targetId,
        ip: r.ip,
        user_agent: r.userAgent,
        metadata: r.metadata ?? {},
        created_at: unixSeconds(r.createdAt),
      })),
      has_more: query.page * query.limit < total,
      limit: query.limit,
      total,
      page: query.page,
    };
  }
}
