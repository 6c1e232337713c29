import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import type { App } from '../apps/app.entity';
import type { EndUser } from './end-user.entity';
import { MessageFeedback } from './message-feedback.entity';
import type { Message } from './message.entity';

/** Likes and dislikes: one per message and end user; `null` takes it back. */
@Injectable()
export class MessageFeedbacksService {
  constructor(@InjectRepository(MessageFeedback) private readonly feedbacks: Repository<MessageFeedback>) {}

  async rate(
    message: Message,
    user: EndUser,
    rating: 'like' | 'dislike' | null,
    content: string | null,
  ): Promise<void> {
    const existing = await this.feedbacks.findOneBy({ messageId: message.id, endUserId: user.id });
    const now = new Date();
    if (rating === null) {
      if (!existing)
        throw new InvalidParamException('rating', 'rating cannot be null when there is no feedback to revoke.');
      await this.feedbacks.delete({ id: existing.id });
      return;
    }
    if (existing) {
      await this.feedbacks.update({ id: existing.id }, { rating, content, updatedAt: now });
      return;
    }
    await this.feedbacks.insert({
      id: randomUUID(),
      appId: message.appId,
      conversationId: message.conversationId,
      messageId: message.id,
      endUserId: user.id,
      rating,
      content,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** The app's feedback, newest first. */
  page(app: App, page: number, limit: number): Promise<MessageFeedback[]> {
    return this.feedbacks.find({
      where: { appId: app.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * limit,
      take: limit,
    });
  }
}
