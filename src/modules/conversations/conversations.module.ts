import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Conversation } from './conversation.entity';
import { ConversationsService } from './conversations.service';
import { EndUser } from './end-user.entity';
import { EndUsersService } from './end-users.service';
import { MessageFeedback } from './message-feedback.entity';
import { MessageFeedbacksService } from './message-feedbacks.service';
import { MessageAgentThought } from './message-agent-thought.entity';
import { Message } from './message.entity';
import { MessagesService } from './messages.service';

/** End users, conversations and messages: what every API face reads and the runners write. */
@Module({
  imports: [TypeOrmModule.forFeature([EndUser, Conversation, Message, MessageFeedback, MessageAgentThought])],
  providers: [EndUsersService, ConversationsService, MessagesService, MessageFeedbacksService],
  exports: [EndUsersService, ConversationsService, MessagesService, MessageFeedbacksService, TypeOrmModule],
})
export class ConversationsModule {}
