import { Module } from '@nestjs/common';
import { ToolsModule } from '../tools/tools.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { ProvidersModule } from '../providers/providers.module';
import { AppApiKey } from './app-api-key.entity';
import { AppApiKeysController } from './app-api-keys.controller';
import { AppApiKeysService } from './app-api-keys.service';
import { App } from './app.entity';
import { AppKeyCache } from './app-key.cache';
import { AppLogsController } from './app-logs.controller';
import { AppLogsService } from './app-logs.service';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';

/** Apps in the console: their model configuration, Service API keys, and conversation logs. */
@Module({
  imports: [TypeOrmModule.forFeature([App, AppApiKey]), ConversationsModule, ProvidersModule, AuditModule, ToolsModule],
  controllers: [AppsController, AppApiKeysController, AppLogsController],
  providers: [AppsService, AppApiKeysService, AppLogsService, AppKeyCache],
  exports: [AppsService, AppApiKeysService, AppKeyCache],
})
export class AppsModule {}
