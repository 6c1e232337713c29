import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '@keel/metrics';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { isUuid } from '../../common/validation/uuid';
import { AppConfig } from '../../config/app-config';
import type { App } from '../apps/app.entity';
import type { Conversation } from '../conversations/conversation.entity';
import { ConversationsService } from '../conversations/conversations.service';
import { EndUsersService } from '../conversations/end-users.service';
import { FilesService } from '../files/files.service';
import { ToolManager } from '../tools/tool-manager.service';
import { AppRunner, type RunHandle } from '../runners/app.runner';
import { TaskRegistry } from '../runners/task-registry';
import { checkedInputs } from '../runners/user-input-form';
import { blockingDifyAnswer, type DifyMode, openDifyStream, writeDifyStream } from './dify-output.writer';
import { imagePartsFrom, type UploadLookup } from './request-files';
import { RequestLimiter } from './request-limiter';
import type { ChatMessageDto, CompletionMessageDto } from './service-api.dto';
import { ServiceApiErrors } from './service-api.exceptions';
import { Cancellation, type CancelSignal } from '../../common/lifecycle/cancel-signal';

const CHAT_MODES = new Set(['chat', 'agent-chat', 'advanced-chat']);

export function requireUser(user: string | null | undefined): string {
  if (!user || !user.trim()) throw ServiceApiErrors.userRequired();
  return user;
}

/**
 * `/v1/chat-messages` and `/v1/completion-messages`: everything that can be refused is checked
 * before anything is written (mode, model, provider, inputs, files, conversation, limits); then
 * the runner does the turn and the Dify writer answers, blocking or streaming.
 */
@Injectable()
export class GenerationService {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: AppRunner,
    private readonly endUsers: EndUsersService,
    private readonly conversations: ConversationsService,
    private readonly limiter: RequestLimiter,
    private readonly tasks: TaskRegistry,
    private readonly metrics: MetricsService,
    private readonly files: FilesService,
    private readonly tools: ToolManager,
  ) {}

  async chat(app: App, body: ChatMessageDto, res: Response): Promise<void> {
    const user = requireUser(body.user);
    if (!CHAT_MODES.has(app.mode)) throw ServiceApiErrors.notChatApp();
    // Workflow chat apps need a runner of their own.
    if (app.mode === 'advanced-chat') throw ServiceApiErrors.appUnavailable();
    const agentApp = app.mode === 'agent-chat';
    const streaming = body.response_mode === 'streaming';
    if (agentApp && !streaming) {
      throw new InvalidParamException('response_mode', 'Agent Chat App does not support blocking mode');
    }
    const model = await this.runner.resolveModel(app);
    const agent = agentApp ? await this.tools.agentSetup(app, model.config) : undefined;
    const conversationId = body.conversation_id?.trim() || undefined;
    if (conversationId && !isUuid(conversationId)) {
      throw new InvalidParamException('conversation_id', `conversation_id: "${conversationId}" is not a valid UUID.`);
    }
    const query = body.query ?? '';
    const images = await imagePartsFrom(model.config, body.files, this.uploads(app, user));
    const inputs = conversationId ? undefined : checkedInputs(model.config.user_input_form, body.inputs);

    const endUser = await this.endUsers.findOrCreate(app, user);
    let conversation: Conversation | null = null;
    if (conversationId) {
      conversation = await this.conversations.find(app, endUser, conversationId);
      if (!conversation) throw ServiceApiErrors.conversationNotFound();
    }
    const release = await this.limiter.acquire(app);
    const newConversation = !conversation;
    conversation ??= this.conversations.draft(app, endUser, query, inputs!);
    const handleInputs = conversation.inputs;
    await this.respond(res, 'chat', streaming, agentApp, (clientSignal) =>
      this.runner.start({
        app,
        mode: 'chat',
        model,
        agent,
        endUser,
        conversation,
        newConversation,
        query,
        inputs: handleInputs,
        images,
        files: body.files ?? null,
        clientSignal,
        release,
      }),
    );
  }

  async completion(app: App, body: CompletionMessageDto, res: Response): Promise<void> {
    const user = requireUser(body.user);
    if (app.mode !== 'completion') throw ServiceApiErrors.appUnavailable();
    const model = await this.runner.resolveModel(app);
    const images = await imagePartsFrom(model.config, body.files, this.uploads(app, user));
    const inputs = checkedInputs(model.config.user_input_form, body.inputs);
    const endUser = await this.endUsers.findOrCreate(app, user);
    const release = await this.limiter.acquire(app);
    await this.respond(res, 'completion', body.response_mode === 'streaming', false, (clientSignal) =>
      this.runner.start({
        app,
        mode: 'completion',
        model,
        endUser,
        conversation: null,
        query: body.query ?? '',
        inputs,
        images,
        files: body.files ?? null,
        clientSignal,
        release,
      }),
    );
  }

  /** Stops a running task of this app's end user; any other id is quietly ignored (as Dify does). */
  async stop(app: App, taskId: string, user: string | null | undefined): Promise<void> {
    const endUser = await this.endUsers.find(app, requireUser(user));
    if (endUser) await this.tasks.stop(taskId, app.id, endUser.id);
  }

  /** The end user's own uploads in this app, by id. */
  private uploads(app: App, user: string): UploadLookup {
    return async (id) => {
      const file = await this.files.findForUser(app, user, id);
      return file ? { mimeType: file.mimeType, bytes: await this.files.bytes(file) } : null;
    };
  }

  private async respond(
    res: Response,
    mode: DifyMode,
    streaming: boolean,
    agent: boolean,
    start: (clientSignal: CancelSignal) => Promise<RunHandle>,
  ): Promise<void> {
    if (streaming) {
      const sse = openDifyStream(res, this.config.serviceApi.pingIntervalMs, this.metrics);
      await writeDifyStream(sse, await start(sse.signal), mode, agent);
      return;
    }
    const disconnected = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    res.status(200).json(await blockingDifyAnswer(await start(disconnected), mode));
  }
}
