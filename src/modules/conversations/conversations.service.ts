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

  /** The end user's conversation with the app, or null (also for another user's or app's id). */
  find(app: App, user: EndUser, id: string): Promise<Conversation | null> {
    return this.conversations.findOneBy({ id, appId: app.id, endUserId: user.id });
  }

  async create(app: App, user: EndUser, query: string, inputs: Record<string, unknown>): Promise<Conversation> {
    const now = new Date();
    const conversation: Conversation = {
      id: randomUUID(),
      workspaceId: app.workspaceId,
      appId: app.id,
      endUserId: user.id,
      name: nameFrom(query),
      inputs,
      status: 'normal',
      dialogueCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.conversations.insert(conversation as QueryDeepPartialEntity<Conversation>);
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

  async touch(conversationId: string): Promise<void> {
    await this.conversations.increment({ id: conversationId }, 'dialogueCount', 1);
    await this.conversations.update({ id: conversationId }, { updatedAt: new Date() });
  }
}

function nameFrom(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  if (!flat) return 'New conversation';
  return flat.length > NAME_LENGTH ? `${flat.slice(0, NAME_LENGTH - 1)}…` : flat;
}
