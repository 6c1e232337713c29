import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MetricsService } from '@keel/metrics';
import { msSinceArrival } from '../../common/http/request-arrival';
import { Cancellation, type CancelSignal } from '../../common/lifecycle/cancel-signal';
import { setRequestScope } from '../../common/http/request-scope';
import { AppConfig } from '../../config/app-config';
import type { App } from '../apps/app.entity';
import type { Conversation } from '../conversations/conversation.entity';
import { ConversationsService } from '../conversations/conversations.service';
import { EndUsersService } from '../conversations/end-users.service';
import type { ChatMessage } from '../providers/model-provider';
import { AppRunner, type RunHandle } from '../runners/app.runner';
import { textOf } from '../runners/prompt.builder';
import { checkedInputs } from '../runners/user-input-form';
import { RequestLimiter } from '../service-api/request-limiter';
import { type ChatCompletionRequest, PARAM_FIELDS } from './chat-completions.dto';
import { keyIdOf, type OpenAiCaller } from './openai-caller';
import { OpenAiModelsService } from './openai-models.service';
import { ToolManager } from '../tools/tool-manager.service';
import { blockingOpenAiAnswer, openOpenAiStream, type OpenAiAnswer, writeOpenAiStream } from './openai-output.writer';
import { OpenAiErrors } from './openai.errors';
import { workspaceKeyLimits } from './workspace-key.limits';

/** Milliseconds from the request's arrival to the model request leaving: Keel's own overhead. */
export const OVERHEAD_HEADER = 'x-keel-overhead-ms';

/** Conversation and end-user ids from headers are stored in 255-character columns. */
const MAX_HEADER_ID = 255;

/** A header's value, when it is there and not empty. */
const header = (req: Request, name: string) => req.get(name)?.trim() || undefined;

function chatMessagesOf(body: ChatCompletionRequest): ChatMessage[] {
  return body.messages.map((message) => ({
    role: message.role === 'developer' ? 'system' : message.role,
    content: message.content ?? '',
  }));
}

function paramsOf(body: ChatCompletionRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of PARAM_FIELDS) if (body[field] !== undefined && body[field] !== null) params[field] = body[field];
  return params;
}

/**
 * `POST /v1/chat/completions`: the app named by `model` runs through the same runner as Dify's
 * chat-messages, stateless by default (the prompt is the app's prompt plus the client's messages).
 * With `X-Conversation-Id` (or Open WebUI's `X-OpenWebUI-Chat-Id`) on a chat app, the turn is
 * also stored in the conversation bound to that id, for the Service API and the console to see.
 * Everything that can be refused is checked before anything is written.
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly config: AppConfig,
    private readonly models: OpenAiModelsService,
    private readonly runner: AppRunner,
    private readonly endUsers: EndUsersService,
    private readonly conversations: ConversationsService,
    private readonly limiter: RequestLimiter,
    private readonly metrics: MetricsService,
    private readonly tools: ToolManager,
  ) {}

  async complete(caller: OpenAiCaller, body: ChatCompletionRequest, req: Request, res: Response): Promise<void> {
    if (body.n !== undefined && body.n !== null && body.n !== 1) throw OpenAiErrors.onlyOneChoice();
    const app = await this.models.resolve(caller, body.model);
    setRequestScope(req, { workspaceId: app.workspaceId, appId: app.id });
    const model = await this.runner.resolveModel(app);
    const agent = app.mode === 'agent-chat' ? await this.tools.agentSetup(app, model.config) : undefined;
    const messages = chatMessagesOf(body);
    const lastUser = messages.findLast((message) => message.role === 'user');
    if (!lastUser) throw OpenAiErrors.noUserMessage();
    const hasImages = messages.some((m) => typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text'));
    if (hasImages && !model.config.file_upload.image.enabled) throw OpenAiErrors.imagesDisabled();
    const inputs = checkedInputs(model.config.user_input_form, body.inputs);
    const externalHeader = header(req, 'x-conversation-id') ? 'x-conversation-id' : 'x-openwebui-chat-id';
    const externalId = app.mode === 'completion' ? undefined : header(req, externalHeader);
    if (externalId && externalId.length > MAX_HEADER_ID) throw OpenAiErrors.headerTooLong(externalHeader);
    const query = textOf(lastUser.content);

    const headerUser = header(req, 'x-openwebui-user-id');
    if (headerUser && headerUser.length > MAX_HEADER_ID) throw OpenAiErrors.headerTooLong('x-openwebui-user-id');
    const user = body.user?.trim() || headerUser || `${caller.kind}-key-${keyIdOf(caller)}`;
    const endUser = await this.endUsers.findOrCreate(app, user);
    const release = await this.takeSlots(caller, app);
    let conversation: Conversation | null = null;
    try {
      if (externalId) conversation = await this.conversations.bound(app, endUser, externalId, query);
    } catch (error) {
      release();
      throw error;
    }

    const answer: OpenAiAnswer = { model: app.slug, includeUsage: body.stream_options?.include_usage === true };
    const start = (clientSignal: CancelSignal): Promise<RunHandle> =>
      this.runner.start({
        app,
        mode: app.mode === 'completion' ? 'completion' : 'chat',
        model,
        agent,
        endUser,
        conversation,
        query,
        inputs,
        images: [],
        messages,
        files: null,
        params: paramsOf(body),
        clientSignal,
        release,
        unstoppable: true,
        // Stateless calls answer before their log row is written; a bound conversation is stored
        // first, so that the Service API lists the turn as soon as the stream ends.
        storeAfterEnd: conversation === null,
        onRequestSent: () => {
          if (!res.headersSent) res.setHeader(OVERHEAD_HEADER, msSinceArrival(req).toFixed(2));
        },
      });

    const keepAliveMs = this.config.serviceApi.pingIntervalMs;
    if (body.stream) {
      const sse = openOpenAiStream(res, keepAliveMs, this.metrics);
      await writeOpenAiStream(sse, await start(sse.signal), answer, keepAliveMs);
      return;
    }
    const disconnected = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    res.status(200).json(await blockingOpenAiAnswer(await start(disconnected), answer));
  }

  /**
   * The app's per-minute count (a workspace key's own was counted by the guard; an app key's is
   * the app's) and concurrent slots: the key's, then the app's. The returned function gives both back.
   */
  private async takeSlots(caller: OpenAiCaller, app: App): Promise<() => void> {
    if (caller.kind === 'app') return this.limiter.acquire(app);
    await this.limiter.countRequest(app);
    const releaseKey = await this.limiter.take(workspaceKeyLimits(caller.key));
    try {
      const releaseApp = await this.limiter.acquire(app);
      return () => {
        releaseApp();
        releaseKey();
      };
    } catch (error) {
      releaseKey();
      throw error;
    }
  }
}
