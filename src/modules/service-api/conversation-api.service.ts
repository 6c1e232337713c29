import { Injectable } from '@nestjs/common';
import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { isUuid } from '../../common/validation/uuid';
import type { App } from '../apps/app.entity';
import type { Conversation } from '../conversations/conversation.entity';
import { type ConversationSort, ConversationsService, nameFrom } from '../conversations/conversations.service';
import type { EndUser } from '../conversations/end-user.entity';
import { EndUsersService } from '../conversations/end-users.service';
import { MessageFeedbacksService } from '../conversations/message-feedbacks.service';
import type { Message } from '../conversations/message.entity';
import { MessagesService } from '../conversations/messages.service';
import { AppRunner } from '../runners/app.runner';
import { requireUser } from './generation.service';
import { ServiceApiErrors } from './service-api.exceptions';
import { conversationOf, messageOf } from './service-api.wire';

const messageNotFound = () => new ApiException(404, 'not_found', 'Message Not Exists.');
const SUGGESTION_PROMPT =
  'Suggest three short questions the user could ask next, based on the conversation. Answer with a JSON array of three strings and nothing else.';
const TITLE_PROMPT =
  'Give this conversation a short title (at most 8 words) in the language of the question. Answer with the title only.';

/** The Service API's conversation, message and feedback routes, for one app and end user. */
@Injectable()
export class ConversationApiService {
  constructor(
    private readonly endUsers: EndUsersService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly feedbacks: MessageFeedbacksService,
    private readonly runner: AppRunner,
  ) {}

  /** An end user the app has never seen has no conversations: `[]`, not 404. */
  async list(
    app: App,
    user: string | null | undefined,
    options: { lastId?: string; limit: number; sortBy: ConversationSort },
  ) {
    const endUser = await this.endUsers.find(app, requireUser(user));
    if (!endUser) return { limit: options.limit, has_more: false, data: [] };
    const page = await this.conversations.page(app, endUser, options);
    if (!page) throw new ApiException(404, 'not_found', 'Last Conversation Not Exists.');
    return {
      limit: options.limit,
      has_more: page.hasMore,
      data: page.rows.map((c) => conversationOf(c, introductionOf(app))),
    };
  }

  async delete(app: App, id: string, user: string | null | undefined): Promise<void> {
    const { conversation } = await this.conversation(app, id, user);
    await this.conversations.delete(conversation);
  }

  async rename(
    app: App,
    id: string,
    body: { name?: string | null; auto_generate?: boolean | null; user?: string | null },
  ) {
    const { conversation } = await this.conversation(app, id, body.user);
    let name = body.name?.trim() ?? '';
    if (body.auto_generate) name = await this.generateTitle(app, conversation);
    else if (!name) throw new InvalidParamException('name', 'name is required when auto_generate is false');
    return conversationOf(await this.conversations.rename(conversation, name), introductionOf(app));
  }

  async variables(app: App, id: string, user: string | null | undefined, limit: number) {
    await this.conversation(app, id, user);
    // Chat and completion apps have no conversation variables (workflow apps will).
    return { limit, has_more: false, data: [] };
  }

  async messagesPage(
    app: App,
    options: { user?: string | null; conversationId: string; firstId?: string; limit: number },
  ) {
    const { conversation } = await this.conversation(app, options.conversationId, options.user);
    const page = await this.messages.page(conversation, { firstId: options.firstId, limit: options.limit });
    if (!page) throw new ApiException(404, 'not_found', 'First Message Not Exists.');
    const rows = await this.messages.withFeedback(page.rows, conversation.endUserId);
    return { limit: options.limit, has_more: page.hasMore, data: rows.map(messageOf) };
  }

  async feedback(
    app: App,
    messageId: string,
    body: { rating: 'like' | 'dislike' | null; user?: string | null; content?: string | null },
  ) {
    const { message, endUser } = await this.message(app, messageId, body.user);
    await this.feedbacks.rate(message, endUser, body.rating, body.content ?? null);
  }

  async suggested(app: App, messageId: string, user: string | null | undefined): Promise<string[]> {
    const { message } = await this.message(app, messageId, user);
    const model = await this.runner.resolveModel(app);
    if (!model.config.suggested_questions_after_answer.enabled) {
      throw new ApiException(
        403,
        'app_suggested_questions_after_answer_disabled',
        'Function Suggested questions after answer disabled.',
      );
    }
    const text = await this.runner.generateText(
      model,
      [
        { role: 'system', content: SUGGESTION_PROMPT },
        { role: 'user', content: message.query },
        { role: 'assistant', content: message.answer },
        { role: 'user', content: 'Suggest three follow-up questions.' },
      ],
      256,
    );
    return parseQuestions(text);
  }

  private async conversation(
    app: App,
    id: string,
    user: string | null | undefined,
  ): Promise<{ conversation: Conversation; endUser: EndUser }> {
    const endUser = await this.endUsers.find(app, requireUser(user));
    const conversation = endUser && isUuid(id) ? await this.conversations.find(app, endUser, id) : null;
    if (!endUser || !conversation) throw ServiceApiErrors.conversationNotFound();
    return { conversation, endUser };
  }

  private async message(
    app: App,
    id: string,
    user: string | null | undefined,
  ): Promise<{ message: Message; endUser: EndUser }> {
    const endUser = await this.endUsers.find(app, requireUser(user));
    const message = endUser && isUuid(id) ? await this.messages.find(app, endUser, id) : null;
    if (!endUser || !message) throw messageNotFound();
    return { message, endUser };
  }

  private async generateTitle(app: App, conversation: Conversation): Promise<string> {
    const query = (await this.messages.first(conversation))?.query ?? '';
    if (!query) return conversation.name;
    const model = await this.runner.resolveModel(app);
    const title = await this.runner.generateText(
      model,
      [
        { role: 'system', content: TITLE_PROMPT },
        { role: 'user', content: query },
      ],
      32,
    );
    return nameFrom(title.replace(/^["'“]+|["'”]+$/g, '')) || nameFrom(query);
  }
}

function introductionOf(app: App): string {
  return app.modelConfig?.opening_statement ?? '';
}

/** A JSON array of strings somewhere in the model's answer; anything else yields no suggestions. */
function parseQuestions(text: string): string[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end <= start) return [];
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === 'string').slice(0, 3) : [];
  } catch {
    return [];
  }
}
