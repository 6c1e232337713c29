import { Injectable, Logger } from '@nestjs/common';
import type { AgentToolConfig, AppModelConfig } from '../apps/app-model-config';
import type { App } from '../apps/app.entity';
import { FilesService } from '../files/files.service';
import type { AgentSetup } from '../runners/app.runner';
import type { AgentTool } from '../runners/agent/agent-tool';
import { ApiToolProvidersService } from './api-tool-providers.service';
import { toolSpecOf } from './tool-json-schema';
import { ToolProviderRegistry } from './tool-provider.registry';
import { type I18nText, type Tool, type ToolContext, ToolError, type ToolMessage } from './tool.types';

/** A provider's tools, with what the console shows of it. */
interface ProviderTools {
  label: I18nText;
  icon: unknown;
  tools: Tool[];
}

export interface ResolvedEntry {
  index: number;
  entry: AgentToolConfig;
  found?: { provider: ProviderTools; tool: Tool };
}

/** Tool names the model can call: OpenAI's function-name rule. */
const MODEL_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The one place tools are looked up: built-in and plugin providers from the registry, a
 * workspace's API providers from the database. Builds an agent turn's tools from the app's
 * `agent_mode`, with binary results stored as files the end user can fetch.
 */
@Injectable()
export class ToolManager {
  private readonly logger = new Logger(ToolManager.name);

  constructor(
    private readonly registry: ToolProviderRegistry,
    private readonly apiProviders: ApiToolProvidersService,
    private readonly files: FilesService,
  ) {}

  /** The tools of an agent app's turn; undefined for other apps. */
  async agentSetup(app: App, config: AppModelConfig): Promise<AgentSetup | undefined> {
    if (app.mode !== 'agent-chat') return undefined;
    const agent = config.agent_mode;
    const tools: AgentTool[] = [];
    for (const { entry, found } of await this.resolve(app.workspaceId, agent.tools)) {
      if (!found) {
        // A provider deleted after the app was configured: the turn runs without that tool.
        this.logger.warn(
          `App ${app.id}: tool ${entry.provider_type}/${entry.provider_id}/${entry.tool_name} no longer exists; skipped`,
        );
        continue;
      }
      const name = this.uniqueName(entry.tool_name, tools);
      tools.push({
        name,
        label: found.tool.label,
        tool: this.storingFiles(found.tool),
        spec: toolSpecOf(name, found.tool),
        formValues: entry.tool_parameters,
      });
    }
    return { strategy: agent.strategy, tools, maxIteration: agent.max_iteration };
  }

  /**
   * The enabled entries of an app's tool list (with their index in it), each with its tool, or
   * without when it no longer exists. Each provider is read once, however many of its tools the
   * app uses.
   */
  async resolve(workspaceId: string, entries: AgentToolConfig[]): Promise<ResolvedEntry[]> {
    const providers = new Map<string, Promise<ProviderTools | null | undefined>>();
    const resolved: ResolvedEntry[] = [];
    for (const [index, entry] of entries.entries()) {
      if (!entry.enabled) continue;
      const key = `${entry.provider_type}/${entry.provider_id}`;
      let provider = providers.get(key);
      if (!provider) {
        provider = this.providerOf(workspaceId, entry);
        providers.set(key, provider);
      }
      const tools = await provider;
      const tool = tools?.tools.find((t) => t.name === entry.tool_name);
      resolved.push({ index, entry, found: tools && tool ? { provider: tools, tool } : undefined });
    }
    return resolved;
  }

  /**
   * Runs one tool of the workspace by reference (a plugin's backwards tool call); an unknown
   * provider or tool is a `ToolError`.
   */
  async invoke(
    workspaceId: string,
    ref: Pick<AgentToolConfig, 'provider_type' | 'provider_id' | 'tool_name'>,
    params: Record<string, unknown>,
    context: ToolContext,
  ): Promise<ToolMessage[]> {
    const provider = await this.providerOf(workspaceId, ref);
    const tool = provider?.tools.find((t) => t.name === ref.tool_name);
    if (!tool) throw new ToolError(`Tool ${ref.provider_type}/${ref.provider_id}/${ref.tool_name} does not exist.`);
    return tool.invoke(params, context);
  }

  /** Each tool's provider icon, by tool name (the Service API's `/meta`). */
  async toolIcons(app: App): Promise<Record<string, unknown>> {
    const icons: Record<string, unknown> = {};
    if (app.mode !== 'agent-chat' || !app.modelConfig) return icons;
    for (const { entry, found } of await this.resolve(app.workspaceId, app.modelConfig.agent_mode.tools)) {
      if (found) icons[entry.tool_name] = found.provider.icon;
    }
    return icons;
  }

  private async providerOf(
    workspaceId: string,
    ref: Pick<AgentToolConfig, 'provider_type' | 'provider_id'>,
  ): Promise<ProviderTools | null | undefined> {
    if (ref.provider_type === 'api') return this.apiProviders.runnable(workspaceId, ref.provider_id);
    return this.registry.forWorkspace(workspaceId, ref.provider_type, ref.provider_id);
  }

  /** The model sees one name per tool: a clash (two providers' `search`) gets a numbered suffix. */
  private uniqueName(toolName: string, taken: AgentTool[]): string {
    const base = MODEL_TOOL_NAME.test(toolName)
      ? toolName
      : toolName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || 'tool';
    let name = base;
    for (let n = 2; taken.some((t) => t.name === name); n++) name = `${base.slice(0, 60)}_${n}`;
    return name;
  }

  /** The tool, with its binary results stored as files of the turn's end user. */
  private storingFiles(tool: Tool): Tool {
    return {
      ...tool,
      invoke: async (params, context) => {
        const messages = await tool.invoke(params, context);
        return Promise.all(messages.map((message) => this.stored(message, context)));
      },
    };
  }

  private async stored(message: ToolMessage, context: ToolContext): Promise<ToolMessage> {
    if (message.type !== 'blob' || !context.appId || !context.userId) return message;
    const file = await this.files.storeToolFile(
      { workspaceId: context.workspaceId, appId: context.appId, endUserId: context.userId },
      message.blob,
      message.mimeType,
      message.filename,
    );
    return {
      type: 'file',
      fileId: file.id,
      mimeType: file.mimeType,
      filename: file.name,
      url: `/v1/files/${file.id}/preview`,
    };
  }
}
