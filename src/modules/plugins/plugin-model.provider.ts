import { z } from 'zod';
import type { LlmChunk, PromptMessage, TextEmbeddingResult } from '@keel/plugin-sdk/protocol';
import type {
  ChatEvent,
  ChatMessage,
  ChatRequest,
  CredentialField,
  EmbeddingRequest,
  EmbeddingResult,
  ModelProvider,
  ProviderModel,
} from '../providers/model-provider';
import { UpstreamError } from '../providers/upstream.error';
import type { PluginModelProviderDefinition } from './plugin-model-definitions';
import type { PluginRuntimeService } from './plugin-runtime.service';
import type { PluginVersion } from './plugin-version.entity';

/**
 * A model plugin's provider as Keel's runners see any provider, for one workspace: credentials
 * checked by the plugin, its predefined models listed, chats streamed from its process.
 */
export class PluginModelProvider implements ModelProvider {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly credentialFields: CredentialField[];
  readonly credentialSchema: z.ZodType<Record<string, unknown>>;
  readonly secretFields: readonly string[];

  constructor(
    private readonly workspaceId: string,
    private readonly version: PluginVersion,
    private readonly definition: PluginModelProviderDefinition,
    private readonly runtime: PluginRuntimeService,
  ) {
    this.name = `${version.pluginId}/${definition.name}`;
    this.label = definition.label;
    this.description = definition.description;
    this.credentialFields = definition.credentialFields.map((f) => ({
      variable: f.variable,
      label: f.label,
      type: f.type === 'secret-input' ? 'secret-input' : 'text-input',
      required: f.required,
      ...(f.placeholder && { placeholder: f.placeholder }),
    }));
    this.secretFields = definition.credentialFields.filter((f) => f.type === 'secret-input').map((f) => f.variable);
    this.credentialSchema = z.object(
      Object.fromEntries(
        definition.credentialFields.map((f) => [
          f.variable,
          f.required ? z.string().min(1, { error: 'is required' }) : z.string().optional(),
        ]),
      ),
    );
  }

  async validateCredentials(credentials: Record<string, unknown>): Promise<void> {
    try {
      for await (const item of this.runtime.invoke(
        this.version,
        { type: 'model', action: 'validate_credentials', provider: this.definition.name, credentials },
        { workspaceId: this.workspaceId },
      )) {
        if ((item as { result?: unknown })?.result === false) throw new Error('the plugin answered result: false');
      }
    } catch (error) {
      throw new UpstreamError('auth', (error as Error).message, undefined, { cause: error });
    }
  }

  listModels(): Promise<ProviderModel[]> {
    return Promise.resolve(this.definition.models.map((m) => ({ ...m, mode: 'chat' as const })));
  }

  listEmbeddingModels(): Promise<string[]> {
    return Promise.resolve([...this.definition.embeddingModels]);
  }

  async embed(credentials: Record<string, unknown>, request: EmbeddingRequest): Promise<EmbeddingResult> {
    let result: TextEmbeddingResult | undefined;
    try {
      for await (const item of this.runtime.invoke(
        this.version,
        {
          type: 'model',
          action: 'invoke_text_embedding',
          provider: this.definition.name,
          model: request.model,
          credentials,
          texts: request.texts,
        },
        { workspaceId: this.workspaceId, signal: request.signal },
      )) {
        result ??= item as TextEmbeddingResult;
      }
    } catch (error) {
      throw new UpstreamError('other', `${this.name}: ${(error as Error).message}`, undefined, { cause: error });
    }
    if (!result || !Array.isArray(result.embeddings) || result.embeddings.length !== request.texts.length) {
      throw new UpstreamError('other', `${this.name}: the plugin gave no vector for every text`);
    }
    return { embeddings: result.embeddings, tokens: Number(result.usage?.tokens) || 0 };
  }

  async *streamChat(credentials: Record<string, unknown>, request: ChatRequest): AsyncIterable<ChatEvent> {
    const { stop, ...params } = request.params;
    request.onSent?.();
    let finished = false;
    let usage: LlmChunk['delta']['usage'];
    let reason: string | undefined;
    try {
      for await (const item of this.runtime.invoke(
        this.version,
        {
          type: 'model',
          action: 'invoke_llm',
          provider: this.definition.name,
          model: request.model,
          credentials,
          prompt_messages: request.messages.map(toPrompt),
          model_parameters: params,
          ...(Array.isArray(stop) && { stop: stop.map(String) }),
          ...(request.tools?.length && { tools: request.tools }),
          stream: true,
        },
        { workspaceId: this.workspaceId, signal: request.signal },
      )) {
        const delta = (item as LlmChunk).delta;
        if (delta?.message?.content) yield { type: 'delta', text: delta.message.content };
        for (const call of delta?.message?.tool_calls ?? []) {
          yield {
            type: 'tool_call',
            call: { id: call.id, name: call.function.name, arguments: call.function.arguments },
          };
        }
        if (delta?.usage) usage = delta.usage;
        if (delta?.finish_reason) reason = delta.finish_reason;
      }
      finished = true;
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new UpstreamError('other', `${this.name}: ${(error as Error).message}`, undefined, { cause: error });
    }
    if (finished) {
      if (usage) yield { type: 'usage', promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
      yield { type: 'finish', reason: reason ?? 'stop' };
    }
  }
}

function toPrompt(message: ChatMessage): PromptMessage {
  const content =
    typeof message.content === 'string'
      ? message.content
      : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return {
    role: message.role,
    content,
    ...(message.tool_call_id && { tool_call_id: message.tool_call_id }),
    ...(message.tool_calls?.length && {
      tool_calls: message.tool_calls.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      })),
    }),
  };
}
