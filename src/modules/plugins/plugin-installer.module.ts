import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module';
import { PluginFilesService } from './plugin-files.service';
import { PluginInstallProcessor } from './plugin-install.processor';
import { PluginInstallTask } from './plugin-install-task.entity';
import { PluginInstallation } from './plugin-installation.entity';
import { PluginInstallationsService } from './plugin-installations.service';
import { PluginInstallerService } from './plugin-installer.service';
import { PluginPackagesService } from './plugin-packages.service';
import { PluginPermission } from './plugin-permission.entity';
import { PluginPermissionsService } from './plugin-permissions.service';
import { PluginVersion } from './plugin-version.entity';

/**
 * Plugin packages and installations without routes: the API's plugin module builds on it, and the
 * worker imports it for the install processor.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PluginVersion, PluginInstallation, PluginInstallTask, PluginPermission]),
    AuditLogModule,
  ],
  providers: [
    PluginPackagesService,
    PluginFilesService,
    PluginInstallerService,
    PluginInstallationsService,
    PluginPermissionsService,
    PluginInstallProcessor,
  ],
  exports: [
    PluginPackagesService,
    PluginFilesService,
    PluginInstallerService,
    PluginInstallationsService,
    PluginPermissionsService,
  ],
})
export class PluginInstallerModule {}
