import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { App } from '../apps/app.entity';
import { AuditModule } from '../audit/audit.module';
import { WorkspaceApiKey } from './workspace-api-key.entity';
import { WorkspaceApiKeysController } from './workspace-api-keys.controller';
import { WorkspaceApiKeysService } from './workspace-api-keys.service';
import { WorkspaceKeyCache } from './workspace-key.cache';

/**
 * Workspace API keys (`sk-keel-…`): the console routes that manage them, and the service the
 * OpenAI-compatible face resolves them with. `App` is read only to check allowlists.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WorkspaceApiKey, App]), AuditModule],
  controllers: [WorkspaceApiKeysController],
  providers: [WorkspaceApiKeysService, WorkspaceKeyCache],
  exports: [WorkspaceApiKeysService, WorkspaceKeyCache],
})
export class WorkspaceApiKeysModule {}
