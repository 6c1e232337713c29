import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { App } from '../apps/app.entity';
import type { Turn } from '../runners/memory-window';
import { Conversation } from './conversation.entity';
import type { EndUser } from './end-user.entity';
import { Message } from './message.entity';

// Enough turns to fill any reasonable memory budget; the window picks from these.
const HISTORY_TURNS = 100;
const NAME_LENGTH = 60;

/** Conversations and their messages, always scoped to one app and one end user. */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectRepository(Conversation) private readonly conversations: Repository<Conversation>,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
  ) {}

  /** The end user's live conversation with the app, or null (also for another user's, app's or a deleted one). */
  find(app: App, user: EndUser, id: string): Promise<Conversation | null> {
    return this.conversations.findOneBy({ id, appId: app.id, endUserId: user.id, status: 'normal' });
  }

  /**
   * One page of the end user's conversations in `sortBy` order, after the conversation
   * `lastId` (the last one of the previous page); undefined when `lastId` is not theirs.
   */
  async page(
    app: App,
    user: EndUser,
    options: { lastId?: string; limit: number; sortBy: ConversationSort },
  ): Promise<{ rows: Conversation[]; hasMore: boolean } | undefined> {
    const descending = options.sortBy.startsWith('-');
    const column = options.sortBy.endsWith('created_at') ? 'created_at' : 'updated_at';
    const field = column === 'created_at' ? 'createdAt' : 'updatedAt';
    const query = this.conversations
      .createQueryBuilder('c')
      .where('c.app_id = :appId AND c.end_user_id = :userId AND c.status = :status', {
        appId: app.id,
        userId: user.id,
        status: 'normal',
      })
      .orderBy(`c.${column}`, descending ? 'DESC' : 'ASC')
      .addOrderBy('c.id', descending ? 'DESC' : 'ASC')
      .take(options.limit + 1);
    if (options.lastId) {
      const last = await this.find(app, user, options.lastId);
      if (!last) return undefined;
      const op = descending ? '<' : '>';
      query.andWhere(`(c.${column} ${op} :value OR (c.${column} = :value AND c.id ${op} :lastId))`, {
        value: last[field],
        lastId: last.id,
      });
    }
    const rows = await query.getMany();
    return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
  }

  /**
   * Deleted conversations disappear from every API; their rows stay for the console's logs. A
   * client's chat id bound to one is let go, so the same id starts a new conversation.
   */
  async delete(conversation: Conversation): Promise<void> {
    await this.conversations.update(
      { id: conversation.id },
      { status: 'deleted', externalId: null, updatedAt: new Date() },
    );
  }

  /**
   * The end user's conversation bound to the client's own chat id, created (empty, named after
   * `query`) the first time the id is seen. Two first turns of one chat racing: the unique index
   * keeps one row, and both turns land in it.
   */
  async bound(app: App, user: EndUser, externalId: string, query: string): Promise<Conversation> {
    const where = { appId: app.id, endUserId: user.id, externalId, status: 'normal' as const };
    const existing = await this.conversations.findOneBy(where);
    if (existing) return existing;
    const conversation: Conversation = { ...this.draft(app, user, query, {}), externalId, dialogueCount: 0 };
    try {
      // simple-json columns do not fit TypeORM's deep-partial type; the value is the entity itself.
      await this.conversations.insert(conversation as QueryDeepPartialEntity<Conversation>);
      return conversation;
    } catch (error) {
      const winner = await this.conversations.findOneBy(where);
      if (winner) return winner;
      throw error;
    }
  }

  async rename(conversation: Conversation, name: string): Promise<Conversation> {
    const updatedAt = new Date();
    await this.conversations.update({ id: conversation.id }, { name, updatedAt });
    return { ...conversation, name, updatedAt };
  }

  /**
   * A new conversation for the turn that starts it, not yet written: the runner inserts it
   * together with the turn's message.
   */
  draft(app: App, user: EndUser, query: string, inputs: Record<string, unknown>): Conversation {
    const now = new Date();
    const conversation: Conversation = {
      id: randomUUID(),
      workspaceId: app.workspaceId,
      appId: app.id,
      endUserId: user.id,
      name: nameFrom(query),
      externalId: null,
      inputs,
      status: 'normal',
      // Created for the turn that is starting, which counts.
      dialogueCount: 1,
      createdAt: now,
      updatedAt: now,
    };
    return conversation;
  }

  /** Earlier completed turns, oldest first (stopped turns count with what they answered). */
  async history(conversation: Conversation): Promise<Turn[]> {
    const rows = await this.messages.find({
      where: { conversationId: conversation.id, status: In(['normal', 'stopped']) },
      order: { createdAt: 'DESC' },
      take: HISTORY_TURNS,
      select: { query: true, answer: true, createdAt: true },
    });
    return rows.reverse().filter((m) => m.answer !== '');
  }

  /** One more turn, now: a single UPDATE on the request path. */
  async touch(conversationId: string): Promise<void> {
    await this.conversations
      .createQueryBuilder()
      .update()
      .set({ dialogueCount: () => 'dialogue_count + 1', updatedAt: new Date() })
      .where('id = :id', { id: conversationId })
      .execute();
  }
}

export type ConversationSort = 'created_at' | '-created_at' | 'updated_at' | '-updated_at';

export function nameFrom(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  if (!flat) return 'New conversation';
  return flat.length > NAME_LENGTH ? `${flat.slice(0, NAME_LENGTH - 1)}…` : flat;
}
