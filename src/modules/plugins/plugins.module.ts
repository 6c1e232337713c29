import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module';
import { HealthModule } from '../health/health.module';
import { ProvidersModule } from '../providers/providers.module';
import { ToolsModule } from '../tools/tools.module';
import { PluginBackwardsService } from './plugin-backwards.service';
import { PluginHealthSource } from './plugin-health.source';
import { PluginInstallerModule } from './plugin-installer.module';
import { PluginModelCatalog } from './plugin-model-catalog.service';
import { PluginRuntimeService } from './plugin-runtime.service';
import { PluginStorageEntry } from './plugin-storage-entry.entity';
import { PluginStorageService } from './plugin-storage.service';
import { PluginToolCatalog } from './plugin-tool-catalog.service';
import { PluginToolCredential } from './plugin-tool-credential.entity';
import { PluginToolCredentialsService } from './plugin-tool-credentials.service';
import { PluginToolProvidersController } from './plugin-tool-providers.controller';
import { PluginUpgradeService } from './plugin-upgrade.service';
import { PluginEndpoint } from './plugin-endpoint.entity';
import { PluginEndpointServingController } from './plugin-endpoint-serving.controller';
import { PluginEndpointsController } from './plugin-endpoints.controller';
import { PluginEndpointsService } from './plugin-endpoints.service';
import { PluginsController } from './plugins.controller';

/**
 * Plugins in the API process: the console's routes, and running installed plugins — their
 * processes, backwards calls, tools offered to the workspaces that installed them, health and
 * metrics.
 */
@Module({
  imports: [
    PluginInstallerModule,
    AuditLogModule,
    ToolsModule,
    ProvidersModule,
    HealthModule,
    TypeOrmModule.forFeature([PluginStorageEntry, PluginToolCredential, PluginEndpoint]),
  ],
  controllers: [
    PluginsController,
    PluginEndpointsController,
    PluginToolProvidersController,
    PluginEndpointServingController,
  ],
  providers: [
    PluginRuntimeService,
    PluginBackwardsService,
    PluginStorageService,
    PluginToolCatalog,
    PluginModelCatalog,
    PluginToolCredentialsService,
    PluginHealthSource,
    PluginUpgradeService,
    PluginEndpointsService,
  ],
})
export class PluginsModule {}
