import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Conversation } from './conversation.entity';
import { ConversationsService } from './conversations.service';
import { EndUser } from './end-user.entity';
import { EndUsersService } from './end-users.service';
import { Message } from './message.entity';

/** End users, conversations and messages: what every API face reads and the runners write. */
@Module({
  imports: [TypeOrmModule.forFeature([EndUser, Conversation, Message])],
  providers: [EndUsersService, ConversationsService],
  exports: [EndUsersService, ConversationsService, TypeOrmModule],
})
export class ConversationsModule {}
