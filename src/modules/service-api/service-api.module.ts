import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppApiKey } from '../apps/app-api-key.entity';
import { App } from '../apps/app.entity';
import { ConversationsModule } from '../conversations/conversations.module';
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

/** Dify's Service API on /v1, authenticated by app keys. */
@Module({
  imports: [TypeOrmModule.forFeature([AppApiKey, App, Workspace, Account]), ConversationsModule, RunnersModule],
  controllers: [
    ServiceApiIndexController,
    AppInfoController,
    ChatMessagesController,
    ConversationsController,
    MessagesController,
  ],
  providers: [AppKeyAuthService, AppKeyGuard, RequestLimiter, GenerationService, ConversationApiService],
  exports: [AppKeyAuthService, AppKeyGuard, RequestLimiter],
})
export class ServiceApiModule {}
