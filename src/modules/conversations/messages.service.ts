import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import type { App } from '../apps/app.entity';
import type { Conversation } from './conversation.entity';
import type { EndUser } from './end-user.entity';
import { MessageFeedback } from './message-feedback.entity';
import { Message } from './message.entity';
import { MessageAgentThought } from './message-agent-thought.entity';

export interface MessageWithFeedback {
  message: Message;
  feedback: MessageFeedback | null;
  /** An agent turn's steps, in order; empty for other turns. */
  thoughts: MessageAgentThought[];
}

/** Reading messages as end users see them: only their own, in their own conversations. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageFeedback) private readonly feedbacks: Repository<MessageFeedback>,
    @InjectRepository(MessageAgentThought) private readonly thoughts: Repository<MessageAgentThought>,
  ) {}

  /** The end user's message in the app, or null. */
  find(app: App, user: EndUser, id: string): Promise<Message | null> {
    return this.messages.findOneBy({ id, appId: app.id, endUserId: user.id });
  }

  /** The conversation's first message (what a generated title summarises). */
  first(conversation: Conversation): Promise<Message | null> {
    return this.messages.findOne({
      where: { conversationId: conversation.id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /**
   * The newest `limit` turns, oldest first; with `firstId` (the oldest message the client holds)
   * the `limit` turns before it. Undefined when `firstId` is not in the conversation. Serves both
   * the Service API and the console's logs.
   */
  async page(
    conversation: Conversation,
    options: { firstId?: string; limit: number },
  ): Promise<{ rows: Message[]; hasMore: boolean } | undefined> {
    const query = this.messages
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId', { conversationId: conversation.id })
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .take(options.limit + 1);
    if (options.firstId) {
      const first = await this.messages.findOneBy({ id: options.firstId, conversationId: conversation.id });
      if (!first) return undefined;
      query.andWhere('(m.created_at < :at OR (m.created_at = :at AND m.id < :id))', {
        at: first.createdAt,
        id: first.id,
      });
    }
    const rows = await query.getMany();
    return { rows: rows.slice(0, options.limit).reverse(), hasMore: rows.length > options.limit };
  }

  /** The end user's own feedback on these messages, and the agent steps of each. */
  async withFeedback(messages: Message[], endUserId: string): Promise<MessageWithFeedback[]> {
    if (!messages.length) return [];
    const ids = In(messages.map((m) => m.id));
    const [feedbacks, thoughts] = await Promise.all([
      this.feedbacks.findBy({ messageId: ids, endUserId }),
      this.thoughts.find({ where: { messageId: ids }, order: { position: 'ASC' } }),
    ]);
    const byMessage = new Map(feedbacks.map((f) => [f.messageId, f]));
    const stepsOf = new Map<string, MessageAgentThought[]>();
    for (const thought of thoughts) {
      const steps = stepsOf.get(thought.messageId);
      if (steps) steps.push(thought);
      else stepsOf.set(thought.messageId, [thought]);
    }
    return messages.map((message) => ({
      message,
      feedback: byMessage.get(message.id) ?? null,
      thoughts: stepsOf.get(message.id) ?? [],
    }));
  }
}
