import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GuardedHttp } from '../../common/ssrf/guarded-http';
import { SsrfModule } from '../../common/ssrf/ssrf.module';
import { AuditModule } from '../audit/audit.module';
import { FilesModule } from '../files/files.module';
import { ProvidersModule } from '../providers/providers.module';
import { ApiToolProvider } from './api-tool-provider.entity';
import { ApiToolProvidersService } from './api-tool-providers.service';
import { builtinToolProviders } from './builtin/builtin-tool-providers';
import { ToolManager } from './tool-manager.service';
import { ToolProviderRegistry } from './tool-provider.registry';
import { ToolProvidersController } from './tool-providers.controller';

/**
 * Tools: the registry of shared providers (built-in now, plugins later), each workspace's custom
 * API providers, the console routes, and the manager agent turns get their tools from.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToolProvider]), SsrfModule, ProvidersModule, AuditModule, FilesModule],
  controllers: [ToolProvidersController],
  providers: [ToolProviderRegistry, ApiToolProvidersService, ToolManager],
  exports: [ToolProviderRegistry, ToolManager],
})
export class ToolsModule implements OnModuleInit {
  constructor(
    private readonly registry: ToolProviderRegistry,
    private readonly http: GuardedHttp,
  ) {}

  onModuleInit(): void {
    for (const builtin of builtinToolProviders(this.http)) {
      this.registry.register({
        type: 'builtin',
        name: builtin.name,
        author: builtin.identity.author,
        label: builtin.identity.label,
        description: builtin.identity.description,
        icon: `/console/api/workspaces/current/tool-provider/builtin/${builtin.name}/icon`,
        iconFile: { mimeType: builtin.icon.mimeType, content: builtin.icon.content },
        tags: builtin.identity.tags,
        tools: builtin.tools,
      });
    }
  }
}
