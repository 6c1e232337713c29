import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { ProvidersModule } from '../providers/providers.module';
import { AppRunner } from './app.runner';
import { TaskRegistry } from './task-registry';

/** The chat and completion runner shared by every API face, and the registry of running tasks. */
@Module({
  imports: [ConversationsModule, ProvidersModule],
  providers: [AppRunner, TaskRegistry],
  exports: [AppRunner, TaskRegistry],
})
export class RunnersModule {}
