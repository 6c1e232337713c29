import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppApiKey } from '../apps/app-api-key.entity';
import { App } from '../apps/app.entity';
import { AppsModule } from '../apps/apps.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { FilesController } from '../files/files.controller';
import { FilesModule } from '../files/files.module';
import { ToolsModule } from '../tools/tools.module';
import { UploadFile } from '../files/upload-file.entity';
import { RunnersModule } from '../runners/runners.module';
import { Account } from '../workspaces/account.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { AppInfoController, ServiceApiIndexController } from './app-info.controller';
import { ConversationApiService } from './conversation-api.service';
import { ConversationsController } from './conversations.controller';
import { MessagesController } from './messages.controller';
import { AppKeyAuthService } from './app-key-auth.service';
import { AppKeyGuard } from './app-key.guard';
import { ChatMessagesController } from './chat-messages.controller';
import { GenerationService } from './generation.service';
import { RequestLimiter } from './request-limiter';

/** Dify's Service API on /v1, authenticated by app keys: generation, conversations, messages, files. */
@Module({
  imports: [
    TypeOrmModule.forFeature([AppApiKey, App, Workspace, Account, UploadFile]),
    AppsModule,
    ConversationsModule,
    RunnersModule,
    FilesModule,
    ToolsModule,
  ],
  controllers: [
    ServiceApiIndexController,
    AppInfoController,
    ChatMessagesController,
    ConversationsController,
    MessagesController,
    FilesController,
  ],
  providers: [AppKeyAuthService, AppKeyGuard, RequestLimiter, GenerationService, ConversationApiService],
  exports: [AppKeyAuthService, AppKeyGuard, RequestLimiter],
})
export class ServiceApiModule {}
