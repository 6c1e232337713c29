import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WorkspaceApiKeysModule } from '../api-keys/workspace-api-keys.module';
import { App } from '../apps/app.entity';
import { ToolsModule } from '../tools/tools.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { RunnersModule } from '../runners/runners.module';
import { ServiceApiModule } from '../service-api/service-api.module';
import { ChatCompletionsController } from './chat-completions.controller';
import { ChatCompletionsService } from './chat-completions.service';
import { ModelsController } from './models.controller';
import { OpenAiKeyGuard } from './openai-key.guard';
import { OpenAiModelsService } from './openai-models.service';

/**
 * The OpenAI-compatible API on /v1 (`/models`, `/chat/completions`): every app a model, for app
 * keys and workspace API keys. A second wire adapter over the Service API's runner and limits.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([App]),
    ServiceApiModule,
    WorkspaceApiKeysModule,
    ConversationsModule,
    RunnersModule,
    ToolsModule,
  ],
  controllers: [ModelsController, ChatCompletionsController],
  providers: [OpenAiKeyGuard, OpenAiModelsService, ChatCompletionsService],
})
export class OpenAiApiModule {}
