import { errorMessage } from '../../common/errors/error-message';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { FastWrites } from '../../database/fast-writes';
import { Cancellation, type CancelSignal } from '../../common/lifecycle/cancel-signal';
import { MetricsService } from '@keel/metrics';
import { unixSeconds } from '../../common/http/unix-seconds';
import { AppConfig } from '../../config/app-config';
import type { AppModelConfig } from '../apps/app-model-config';
import type { App } from '../apps/app.entity';
import { Conversation } from '../conversations/conversation.entity';
import { ConversationsService } from '../conversations/conversations.service';
import type { EndUser } from '../conversations/end-user.entity';
import { Message, type MessageStatus } from '../conversations/message.entity';
import { MessageAgentThought } from '../conversations/message-agent-thought.entity';
import type { ChatEvent, ChatMessage, ContentPart, ModelProvider, ModelPricing } from '../providers/model-provider';
import { pricingOf } from '../providers/model-pricing';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';
import { UpstreamError } from '../providers/upstream.error';
import { buildPrompt, buildPromptFromMessages } from './prompt.builder';
import { RunnerErrors } from './runner.errors';
import type { AgentEvent } from './agent/agent-run';
import type { AgentThought } from './agent/agent-thought';
import type { AgentTool } from './agent/agent-tool';
import { runFunctionCallAgent } from './agent/function-call.agent';
import { runReactAgent } from './agent/react.agent';
import { runInTransaction } from '../../database/transaction';
import { TaskRegistry } from './task-registry';
import { countMessageTokens, countTokens } from './token-counter';
import { type DifyUsage, usageOf } from './usage';

/** The task of a run nobody can stop by id: no signal to listen to. */
const UNSTOPPABLE: { signal?: CancelSignal; done: () => void } = { done: () => undefined };

/** An app's model, ready to call. */
export interface ResolvedModel {
  config: AppModelConfig;
  provider: ModelProvider;
  credentials: Record<string, unknown>;
  pricing: ModelPricing;
}

/** An agent turn's tools and how the model calls them. */
export interface AgentSetup {
  strategy: 'function_call' | 'react';
  tools: AgentTool[];
  maxIteration: number;
}

export interface RunInput {
  app: App;
  mode: 'chat' | 'completion';
  model: ResolvedModel;
  endUser: EndUser;
  /** Chat only. */
  conversation: Conversation | null;
  /**
   * The conversation is new, a draft written together with this turn's message when the turn
   * ends: no history to read, and its count already includes the turn.
   */
  newConversation?: boolean;
  /** The user's turn as stored; with `messages`, the text of their last message. */
  query: string;
  inputs: Record<string, unknown>;
  images: ContentPart[];
  /**
   * The dialogue as the client holds it (the OpenAI-compatible face): the prompt is the app's
   * prompt plus these, and no stored history is read.
   */
  messages?: ChatMessage[];
  /** Agent apps: the turn may call tools, in rounds, before it answers. */
  agent?: AgentSetup;
  /** Model parameters of this request, over the app's `completion_params`. */
  params?: Record<string, unknown>;
  /** Called as the request to the model provider leaves (the OpenAI face's overhead header). */
  onRequestSent?: () => void;
  /**
   * The face has no stop endpoint (OpenAI's): the run is not registered for one, which spares a
   * Redis write per request when Redis is configured. A client disconnect still aborts it.
   */
  unstoppable?: boolean;
  /** The request's `files`, stored with the message. */
  files: unknown[] | null;
  /** Aborts the run when the client goes away. */
  clientSignal?: CancelSignal;
  /** Gives back the app's concurrency slot when the run ends. */
  release?: () => void;
  /**
   * The last event does not wait for the turn to be stored: it comes first and the write follows
   * (the OpenAI face's stateless calls, whose stored turn is a log and usage record that no client
   * reads back — as OpenAI itself answers before it stores). A write that fails then is logged.
   * Otherwise the turn is committed before the last event.
   */
  storeAfterEnd?: boolean;
}

export type RunEvent =
  | { type: 'delta'; text: string }
  /** A step of an agent turn, sent again as it progresses (same id): called tools, then their results. */
  | { type: 'thought'; thought: AgentThought }
  | { type: 'end'; answer: string; status: MessageStatus; usage: DifyUsage; finishReason: string }
  /** The model provider failed; each face answers it in its own terms. The turn is stored as failed. */
  | { type: 'error'; failure: UpstreamError };

export interface RunHandle {
  taskId: string;
  messageId: string;
  conversationId: string | null;
  /** Unix seconds. */
  createdAt: number;
  /**
   * Must be consumed to the end (or closed with `return`): the turn is committed before the last
   * event, or with `storeAfterEnd` when the iteration finishes.
   */
  events: AsyncGenerator<RunEvent>;
}

/**
 * Runs one chat or completion turn — the one code path behind every API face (Dify's /v1 today,
 * the OpenAI-compatible face later), which only differ in how they write the events.
 */
@Injectable()
export class AppRunner {
  private readonly logger = new Logger(AppRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly providers: ProviderCredentialsService,
    private readonly conversations: ConversationsService,
    private readonly tasks: TaskRegistry,
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {
    this.messages = new FastWrites(dataSource, Message);
    this.newConversations = new FastWrites(dataSource, Conversation);
  }

  /** Every turn writes its message (and maybe a conversation): prepared statements, not the query builder. */
  private readonly messages: FastWrites<Message>;
  private readonly newConversations: FastWrites<Conversation>;

  /** The app's configured model with its workspace's credentials; fails before anything is written. */
  async resolveModel(app: App): Promise<ResolvedModel> {
    const config = app.modelConfig;
    if (!config) throw RunnerErrors.appUnavailable();
    const configured = await this.providers.configured(app.workspaceId, config.model.provider);
    if (!configured) throw RunnerErrors.providerNotInitialized(config.model.provider);
    return { config, ...configured, pricing: pricingOf(configured.credentials, config.model.name) };
  }

  /**
   * A short side generation with the app's model (conversation titles, suggested questions):
   * not stored as a message, but counted in the model metrics. Upstream failures are Dify errors.
   */
  async generateText(model: ResolvedModel, messages: ChatMessage[], maxTokens: number): Promise<string> {
    const labels = { provider: model.provider.name, model: model.config.model.name };
    let text = '';
    try {
      const stream = model.provider.streamChat(model.credentials, {
        model: model.config.model.name,
        messages,
        params: { ...model.config.model.completion_params, max_tokens: maxTokens },
      });
      for await (const event of stream) if (event.type === 'delta') text += event.text;
    } catch (error) {
      this.metrics.modelCalls.inc({ ...labels, outcome: 'error' });
      throw RunnerErrors.upstreamFailed(UpstreamError.from(error));
    }
    this.metrics.modelCalls.inc({ ...labels, outcome: 'success' });
    return text.trim();
  }

  async start(input: RunInput): Promise<RunHandle> {
    try {
      const prompt = input.messages
        ? buildPromptFromMessages(input.mode, input.model.config, input.inputs, input.messages)
        : buildPrompt({
            mode: input.mode,
            config: input.model.config,
            inputs: input.inputs,
            query: input.query,
            images: input.images,
            history:
              input.conversation && !input.newConversation ? await this.conversations.history(input.conversation) : [],
            memoryTokens: this.config.serviceApi.memoryTokens,
          });
      const now = new Date();
      const message: Message = {
        id: randomUUID(),
        workspaceId: input.app.workspaceId,
        appId: input.app.id,
        conversationId: input.conversation?.id ?? null,
        endUserId: input.endUser.id,
        taskId: randomUUID(),
        inputs: input.inputs,
        query: input.query,
        answer: '',
        files: input.files,
        status: 'running',
        error: null,
        modelProvider: input.model.config.model.provider,
        modelId: input.model.config.model.name,
        messageTokens: 0,
        answerTokens: 0,
        messageUnitPrice: input.model.pricing.inputPrice,
        answerUnitPrice: input.model.pricing.outputPrice,
        totalPrice: '0',
        currency: input.model.pricing.currency,
        latencyMs: 0,
        createdAt: now,
        updatedAt: now,
      };
      const task = input.unstoppable
        ? UNSTOPPABLE
        : await this.tasks.register(message.taskId, input.app.id, input.endUser.id);
      return {
        taskId: message.taskId,
        messageId: message.id,
        conversationId: message.conversationId,
        createdAt: unixSeconds(now),
        events: this.run(input, message, prompt, task),
      };
    } catch (error) {
      input.release?.();
      throw error;
    }
  }

  private async *run(
    input: RunInput,
    message: Message,
    prompt: ChatMessage[],
    task: { signal?: CancelSignal; done: () => void },
  ): AsyncGenerator<RunEvent> {
    const { provider, credentials, config } = input.model;
    const labels = { provider: provider.name, model: config.model.name };
    // Either a stop or the client going away ends the run. Linked by hand: Node 20's
    // AbortSignal.any keeps weak references and showed in the chat benchmark's profile. A run with
    // one source (no stop endpoint) uses that signal as it is.
    const sources = [task.signal, input.clientSignal].filter((source): source is CancelSignal => source !== undefined);
    let signal: CancelSignal;
    let abort: (() => void) | undefined;
    if (sources.length === 1) {
      signal = sources[0];
    } else {
      const either = new Cancellation();
      const link = () => either.abort();
      for (const source of sources) {
        if (source.aborted) either.abort();
        else source.addEventListener('abort', link, { once: true });
      }
      signal = either;
      abort = link;
    }
    const started = performance.now();
    let answer = '';
    let reported: { promptTokens: number; completionTokens: number } | undefined;
    // An agent turn's steps by id (a step is sent again as it progresses); none for other turns.
    let thoughts: Map<string, AgentThought> | undefined;
    let failure: UpstreamError | undefined;
    let finishReason = 'stop';
    let stopped = false;
    try {
      try {
        const params = input.params
          ? { ...config.model.completion_params, ...input.params }
          : config.model.completion_params;
        const stream: AsyncIterable<ChatEvent | AgentEvent> = input.agent
          ? this.agentTurn(input, input.agent, prompt, params, signal)
          : provider.streamChat(credentials, {
              model: config.model.name,
              messages: prompt,
              params,
              signal,
              onSent: input.onRequestSent,
            });
        for await (const event of stream) {
          if (event.type === 'delta') {
            if (answer === '') this.metrics.timeToFirstToken.observe(labels, (performance.now() - started) / 1000);
            answer += event.text;
            yield { type: 'delta', text: event.text };
          } else if (event.type === 'usage') {
            // An agent turn calls the model once per round: its usage is the sum.
            reported = reported
              ? {
                  promptTokens: reported.promptTokens + event.promptTokens,
                  completionTokens: reported.completionTokens + event.completionTokens,
                }
              : event;
          } else if (event.type === 'finish') {
            finishReason = event.reason;
          } else if (event.type === 'thought') {
            (thoughts ??= new Map()).set(event.thought.id, event.thought);
            yield { type: 'thought', thought: event.thought };
          }
        }
      } catch (error) {
        const upstream = UpstreamError.from(error);
        if (signal.aborted || upstream.failure === 'aborted') stopped = true;
        else failure = upstream;
      }

      const latencyMs = performance.now() - started;
      const promptTokens = reported?.promptTokens ?? countMessageTokens(prompt);
      const completionTokens = reported?.completionTokens ?? countTokens(answer);
      const usage = usageOf(promptTokens, completionTokens, input.model.pricing, latencyMs);
      const status: MessageStatus = failure ? 'error' : stopped ? 'stopped' : 'normal';
      Object.assign(message, {
        answer,
        status,
        error: failure?.message ?? null,
        messageTokens: promptTokens,
        answerTokens: completionTokens,
        totalPrice: usage.total_price,
        latencyMs: Math.round(latencyMs),
        updatedAt: new Date(),
      });
      this.metrics.modelCalls.inc({ ...labels, outcome: failure ? 'error' : stopped ? 'stopped' : 'success' });
      this.metrics.modelTokens.inc({ ...labels, direction: 'input' }, promptTokens);
      this.metrics.modelTokens.inc({ ...labels, direction: 'output' }, completionTokens);

      const last: RunEvent = failure
        ? { type: 'error', failure }
        : { type: 'end', answer, status, usage, finishReason };
      const steps = thoughts ? [...thoughts.values()] : undefined;
      if (!input.storeAfterEnd) {
        await this.persist(input, message, steps);
        yield last;
        return;
      }
      try {
        yield last;
      } finally {
        // Also when the consumer stops at the last event (a blocking answer returns on it).
        await this.persist(input, message, steps).catch((error: unknown) =>
          this.logger.error(
            `The turn ${message.id} of app ${message.appId} was answered but could not be stored: ${errorMessage(error)}`,
          ),
        );
      }
    } finally {
      if (abort) for (const source of sources) source.removeEventListener('abort', abort);
      task.done();
      input.release?.();
    }
  }

  /**
   * A turn is written once, when it ends (answered, stopped or failed): its message, with the new
   * conversation it started in the same statement (PostgreSQL) or transaction, or followed by the
   * turn counted on the conversation it continues. Until then the stream's ids name a turn in
   * flight, which the stop endpoint reaches through the task registry. One write per turn instead
   * of an insert at the start and an update at the end: on PostgreSQL that update was about a third
   * of the database server's work per turn in the chat benchmark.
   */
  private async persist(input: RunInput, message: Message, thoughts: AgentThought[] | undefined): Promise<void> {
    if (thoughts) {
      await this.persistAgentTurn(input, message, thoughts);
      return;
    }
    if (input.conversation && input.newConversation) {
      await this.newConversations.insertAll(input.conversation, [this.messages as FastWrites<ObjectLiteral>, message]);
      return;
    }
    // A turn stored after its answer has nobody waiting: it may share a commit with the next ones.
    await this.messages.insert(message, input.storeAfterEnd === true);
    if (input.conversation) await this.conversations.touch(input.conversation.id);
  }

  /** An agent turn: its message and its steps in one transaction (agent turns are not the hot path). */
  private async persistAgentTurn(input: RunInput, message: Message, thoughts: AgentThought[]): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      if (input.conversation && input.newConversation)
        await manager.insert(Conversation, input.conversation as QueryDeepPartialEntity<Conversation>);
      await manager.insert(Message, message as QueryDeepPartialEntity<Message>);
      await manager.insert(
        MessageAgentThought,
        thoughts.map((thought) => ({
          ...thought,
          messageId: message.id,
          workspaceId: message.workspaceId,
        })),
      );
    });
    if (input.conversation && !input.newConversation) await this.conversations.touch(input.conversation.id);
  }

  /** The agent strategy the app chose, with the tool context of this turn. */
  private agentTurn(
    input: RunInput,
    agent: AgentSetup,
    prompt: ChatMessage[],
    params: Record<string, unknown>,
    signal: CancelSignal,
  ): AsyncGenerator<AgentEvent> {
    const run = {
      provider: input.model.provider,
      credentials: input.model.credentials,
      model: input.model.config.model.name,
      params,
      prompt,
      tools: agent.tools,
      maxIteration: agent.maxIteration,
      signal,
      onSent: input.onRequestSent,
      toolContext: { workspaceId: input.app.workspaceId, appId: input.app.id, userId: input.endUser.id, signal },
    };
    return agent.strategy === 'react' ? runReactAgent(run) : runFunctionCallAgent(run);
  }
}
