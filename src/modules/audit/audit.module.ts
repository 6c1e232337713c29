import { Module } from '@nestjs/common';
import { AuditLogModule } from './audit-log.module';
import { AuditLogsController } from './audit-logs.controller';

/** The audit trail: `AuditLogService.record()` for features, the admins' read route. */
@Module({
  imports: [AuditLogModule],
  controllers: [AuditLogsController],
  exports: [AuditLogModule],
})
export class AuditModule {}
