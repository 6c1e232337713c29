import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { Conversation } from '../conversations/conversation.entity';
import { EndUser } from '../conversations/end-user.entity';
import { Message } from '../conversations/message.entity';
import { MessagesService } from '../conversations/messages.service';
import { AppsService } from './apps.service';

export interface ConversationLog {
  conversation: Conversation;
  sessionId: string | null;
  messageCount: number;
}

/** What an app's end users asked and got, for the console; read-only over the runners' tables. */
@Injectable()
export class AppLogsService {
  constructor(
    private readonly apps: AppsService,
    @InjectRepository(Conversation) private readonly conversations: Repository<Conversation>,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(EndUser) private readonly endUsers: Repository<EndUser>,
    private readonly messagePages: MessagesService,
  ) {}

  /** One page of the app's conversations (deleted ones left out), most recently active first. */
  async conversationPage(
    workspaceId: string,
    appId: string,
    page: number,
    limit: number,
  ): Promise<{ rows: ConversationLog[]; total: number }> {
    const app = await this.apps.get(workspaceId, appId);
    const [conversations, total] = await this.conversations.findAndCount({
      where: { appId: app.id, workspaceId, status: Not('deleted' as const) },
      order: { updatedAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    if (conversations.length === 0) return { rows: [], total };

    const ids = conversations.map((c) => c.id);
    const counts = await this.messages
      .createQueryBuilder('m')
      .select('m.conversationId', 'conversation_id')
      .addSelect('COUNT(*)', 'count')
      .where('m.conversationId IN (:...ids)', { ids })
      .groupBy('m.conversationId')
      .getRawMany<{ conversation_id: string; count: string | number }>();
    const countOf = new Map(counts.map((c) => [c.conversation_id, Number(c.count)]));
    const users = await this.endUsers.findBy({ id: In([...new Set(conversations.map((c) => c.endUserId))]) });
    const sessionOf = new Map(users.map((u) => [u.id, u.sessionId]));

    return {
      rows: conversations.map((conversation) => ({
        conversation,
        sessionId: sessionOf.get(conversation.endUserId) ?? null,
        messageCount: countOf.get(conversation.id) ?? 0,
      })),
      total,
    };
  }

  /**
   * Up to `limit` messages of one conversation, in chronological order: the newest ones, or with
   * `firstId` the ones just before that message (Dify's scroll-up paging).
   */
  async messagePage(
    workspaceId: string,
    appId: string,
    conversationId: string,
    firstId: string | undefined,
    limit: number,
  ): Promise<{ rows: Message[]; hasMore: boolean }> {
    const app = await this.apps.get(workspaceId, appId);
    const conversation = await this.conversations.findOneBy({ id: conversationId, appId: app.id, workspaceId });
    if (!conversation) throw new ApiException(404, 'not_found', 'Conversation Not Exists.');

    const page = await this.messagePages.page(conversation, { firstId, limit });
    if (!page) throw new ApiException(404, 'not_found', 'First message not found.');
    return page;
  }
}
