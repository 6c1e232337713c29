import { Module } from '@nestjs/common';
import { AuditLogModule } from '../audit/audit-log.module';
import { PluginInstallerModule } from './plugin-installer.module';
import { PluginsController } from './plugins.controller';

/** The console's plugin routes. */
@Module({
  imports: [PluginInstallerModule, AuditLogModule],
  controllers: [PluginsController],
})
export class PluginsModule {}
