import { Injectable, Logger } from '@nestjs/common';
import type { PluginManifest } from '@keel/plugin-package';
import type {
  BackwardsInvocation,
  BackwardsLlmRequest,
  BackwardsToolRequest,
  LlmChunk,
  ToolMessage as WireToolMessage,
} from '@keel/plugin-sdk/protocol';
import type { ChatMessage } from '../providers/model-provider';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';
import { ToolManager } from '../tools/tool-manager.service';
import type { ToolMessage } from '../tools/tool.types';
import { PluginStorageError, PluginStorageService } from './plugin-storage.service';

/** A refused or failed backwards call; `errorType` is what the plugin's `BackwardsCallError.code` reads. */
export class BackwardsCallError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackwardsCallError';
  }
}

/** Who is calling back: the plugin (what its manifest allows) and the workspace whose call it serves. */
export interface BackwardsCaller {
  workspaceId: string;
  pluginId: string;
  manifest: PluginManifest;
  userId?: string;
}

/** Without a declared size, a plugin allowed to store gets this much. */
const DEFAULT_STORAGE_BYTES = 1024 * 1024;

/**
 * The host side of a plugin's backwards calls: the workspace's LLMs, its tools, and the plugin's
 * own storage — each only when the manifest's `resource.permission` grants it, and always in the
 * workspace of the call being served (a plugin cannot name another).
 */
@Injectable()
export class PluginBackwardsService {
  private readonly logger = new Logger(PluginBackwardsService.name);

  constructor(
    private readonly providers: ProviderCredentialsService,
    private readonly tools: ToolManager,
    private readonly storage: PluginStorageService,
  ) {}

  /** The answers to one backwards call, in order. */
  async *handle(
    caller: BackwardsCaller,
    invocation: BackwardsInvocation,
    signal?: AbortSignal,
  ): AsyncIterable<unknown> {
    this.assertPermitted(caller, invocation.type);
    this.logger.debug(
      { plugin: caller.pluginId, workspace: caller.workspaceId, type: invocation.type },
      'backwards call',
    );
    switch (invocation.type) {
      case 'llm':
        yield* this.llm(caller, invocation.request, signal);
        return;
      case 'tool':
        yield* await this.tool(caller, invocation.request);
        return;
      case 'storage':
        yield await this.store(caller, invocation.request);
        return;
    }
  }

  private assertPermitted(caller: BackwardsCaller, type: BackwardsInvocation['type']): void {
    const permission = caller.manifest.resource.permission;
    const allowed =
      type === 'llm'
        ? permission?.model?.llm === true && permission.model.enabled !== false
        : type === 'tool'
          ? permission?.tool?.enabled === true
          : permission?.storage?.enabled === true;
    if (!allowed) {
      const field = type === 'llm' ? 'model.llm' : type === 'tool' ? 'tool.enabled' : 'storage.enabled';
      throw new BackwardsCallError(
        'PermissionDenied',
        `${caller.pluginId} may not make ${type} calls: its manifest does not grant resource.permission.${field}.`,
      );
    }
  }

  private async *llm(
    caller: BackwardsCaller,
    request: BackwardsLlmRequest,
    signal?: AbortSignal,
  ): AsyncIterable<LlmChunk> {
    const configured = await this.providers.configured(caller.workspaceId, request.provider);
    if (!configured) {
      throw new BackwardsCallError(
        'ProviderNotConfigured',
        `Model provider "${request.provider}" is not configured in this workspace.`,
      );
    }
    const messages: ChatMessage[] = request.prompt_messages.map((m) => ({
      role: m.role,
      content: m.content ?? '',
      ...(m.tool_call_id && { tool_call_id: m.tool_call_id }),
      ...(m.tool_calls && {
        tool_calls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
      }),
    }));
    const params = { ...(request.model_parameters ?? {}), ...(request.stop?.length ? { stop: request.stop } : {}) };
    let index = 0;
    const chunk = (message: LlmChunk['delta']['message'], extra: Partial<LlmChunk['delta']> = {}): LlmChunk => ({
      model: request.model,
      delta: { index: index++, message, ...extra },
    });
    let usage: LlmChunk['delta']['usage'];
    for await (const event of configured.provider.streamChat(configured.credentials, {
      model: request.model,
      messages,
      params,
      tools: request.tools,
      signal,
    })) {
      if (event.type === 'delta') yield chunk({ role: 'assistant', content: event.text });
      else if (event.type === 'tool_call') {
        yield chunk({
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: event.call.id,
              type: 'function',
              function: { name: event.call.name, arguments: event.call.arguments },
            },
          ],
        });
      } else if (event.type === 'usage') {
        usage = {
          prompt_tokens: event.promptTokens,
          completion_tokens: event.completionTokens,
          total_tokens: event.promptTokens + event.completionTokens,
        };
      } else {
        yield chunk({ role: 'assistant', content: '' }, { finish_reason: event.reason, ...(usage && { usage }) });
      }
    }
  }

  private async tool(caller: BackwardsCaller, request: BackwardsToolRequest): Promise<WireToolMessage[]> {
    const messages = await this.tools.invoke(
      caller.workspaceId,
      { provider_type: request.provider_type, provider_id: request.provider, tool_name: request.tool },
      request.parameters ?? {},
      { workspaceId: caller.workspaceId, userId: caller.userId },
    );
    return messages.map(toWire);
  }

  private async store(caller: BackwardsCaller, request: BackwardsInvocation['request']): Promise<unknown> {
    const op = request as { opt: string; key: string; value?: string };
    const quota = caller.manifest.resource.permission?.storage?.size ?? DEFAULT_STORAGE_BYTES;
    try {
      if (op.opt === 'get') return { value: await this.storage.get(caller.workspaceId, caller.pluginId, op.key) };
      if (op.opt === 'set') {
        await this.storage.set(caller.workspaceId, caller.pluginId, op.key, op.value ?? '', quota);
        return { ok: true };
      }
      if (op.opt === 'del') {
        await this.storage.delete(caller.workspaceId, caller.pluginId, op.key);
        return { ok: true };
      }
    } catch (error) {
      if (error instanceof PluginStorageError) throw new BackwardsCallError(error.errorType, error.message);
      throw error;
    }
    throw new BackwardsCallError('InvalidRequest', `Unknown storage operation "${String(op.opt)}".`);
  }
}

/** A tool result as it travels to a plugin (binary as base64). */
function toWire(message: ToolMessage): WireToolMessage {
  switch (message.type) {
    case 'text':
      return { type: 'text', text: message.text };
    case 'json':
      return { type: 'json', json: message.json };
    case 'image':
    case 'link':
      return { type: message.type, url: message.url };
    case 'image_link':
      return { type: 'image', url: message.url };
    case 'binary_link':
      return { type: 'link', url: message.url };
    case 'blob':
      return {
        type: 'blob',
        blob: message.blob.toString('base64'),
        mime_type: message.mimeType,
        ...(message.filename && { filename: message.filename }),
      };
    case 'file':
      return {
        type: 'file',
        file: { url: message.url, filename: message.filename, mime_type: message.mimeType, id: message.fileId },
      };
  }
}
