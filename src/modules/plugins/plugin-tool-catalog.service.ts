import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ToolMessage as WireToolMessage } from '@keel/plugin-sdk/protocol';
import { bindTool } from '../tools/builtin/builtin-loader';
import type { SharedToolProvider } from '../tools/tool-provider';
import { ToolProviderRegistry, type WorkspaceToolSource } from '../tools/tool-provider.registry';
import { type ToolContext, ToolError, type ToolMessage } from '../tools/tool.types';
import { PluginInstallationsService } from './plugin-installations.service';
import { splitProviderId } from './plugin-provider-id';
import { PluginRuntimeService } from './plugin-runtime.service';
import { PluginToolCredentialsService } from './plugin-tool-credentials.service';
import type { PluginToolProviderDefinition } from './plugin-tool-definitions';
import { PluginBusyError, PluginUnavailableError } from './runtime/plugin-call.errors';
import type { PluginVersion } from './plugin-version.entity';

/**
 * Plugin tool providers as the tool manager sees them: those of the plugins installed and
 * enabled in the workspace, named `author/plugin/provider` (Dify's plugin provider ids), each tool
 * a call into the plugin's process.
 */
@Injectable()
export class PluginToolCatalog implements WorkspaceToolSource, OnModuleInit {
  constructor(
    private readonly registry: ToolProviderRegistry,
    private readonly installations: PluginInstallationsService,
    private readonly runtime: PluginRuntimeService,
    private readonly credentials: PluginToolCredentialsService,
  ) {}

  onModuleInit(): void {
    this.registry.usePluginSource(this);
  }

  async list(workspaceId: string): Promise<SharedToolProvider[]> {
    const providers: SharedToolProvider[] = [];
    for (const { installation, version } of await this.installations.enabled(workspaceId)) {
      if (version.manifest.plugins.tools.length === 0) continue;
      for (const definition of await this.runtime.toolProviders(version)) {
        providers.push(this.providerOf(installation.workspaceId, version, definition));
      }
    }
    return providers;
  }

  async get(workspaceId: string, name: string): Promise<SharedToolProvider | undefined> {
    const found = await this.definition(workspaceId, name);
    return found && this.providerOf(workspaceId, found.version, found.definition);
  }

  /** The provider `author/plugin/provider` of a plugin enabled in the workspace, with its version. */
  async definition(
    workspaceId: string,
    name: string,
  ): Promise<{ version: PluginVersion; definition: PluginToolProviderDefinition } | undefined> {
    const id = splitProviderId(name);
    const found = id && (await this.installations.enabledPlugin(workspaceId, id.pluginId));
    if (!found || found.version.manifest.plugins.tools.length === 0) return undefined;
    const definition = (await this.runtime.toolProviders(found.version)).find((d) => d.name === id.provider);
    return definition && { version: found.version, definition };
  }

  private providerOf(
    workspaceId: string,
    version: PluginVersion,
    definition: PluginToolProviderDefinition,
  ): SharedToolProvider {
    return {
      type: 'plugin',
      name: `${version.pluginId}/${definition.name}`,
      author: definition.author,
      label: definition.label,
      description: definition.description,
      icon: definition.icon,
      tags: definition.tags,
      tools: definition.tools.map((tool) =>
        bindTool(tool, async (params, context) =>
          this.invoke(workspaceId, version, definition, tool.identity.name, params, context),
        ),
      ),
    };
  }

  private async invoke(
    workspaceId: string,
    version: PluginVersion,
    definition: PluginToolProviderDefinition,
    tool: string,
    parameters: Record<string, unknown>,
    context: ToolContext,
  ): Promise<ToolMessage[]> {
    const provider = definition.name;
    const credentials = await this.credentials.get(workspaceId, `${version.pluginId}/${provider}`);
    const missing = definition.credentialFields.filter((f) => f.required && credentials[f.name] === undefined);
    if (missing.length > 0) {
      throw new ToolError(
        `${version.pluginId}/${provider} needs credentials (${missing.map((f) => f.name).join(', ')}): set them in the workspace's tool settings.`,
      );
    }
    const messages: ToolMessage[] = [];
    try {
      for await (const item of this.runtime.invoke(
        version,
        { type: 'tool', action: 'invoke', provider, tool, parameters, credentials, user_id: context.userId },
        { workspaceId, userId: context.userId, signal: context.signal },
      )) {
        const message = fromWire(item as WireToolMessage);
        const last = messages.at(-1);
        // A streamed answer arrives as many text pieces: one text, as the model should read it.
        if (message.type === 'text' && last?.type === 'text') last.text += message.text;
        else messages.push(message);
      }
    } catch (error) {
      // Busy and unavailable are the caller's to answer (429/503); anything else is the tool's failure.
      if (error instanceof PluginBusyError || error instanceof PluginUnavailableError) throw error;
      // The agent shows a tool's failure to the model as an observation; the cause stays in the logs.
      throw new ToolError(`${version.pluginId}/${provider}/${tool}: ${(error as Error).message}`, { cause: error });
    }
    return messages;
  }
}

/** A plugin's tool result as Keel's tools speak it. */
function fromWire(message: WireToolMessage): ToolMessage {
  switch (message?.type) {
    case 'text':
      return { type: 'text', text: String(message.text) };
    case 'json':
      return { type: 'json', json: message.json };
    case 'image':
    case 'link':
      return { type: message.type, url: String(message.url) };
    case 'blob':
      return {
        type: 'blob',
        blob: Buffer.from(String(message.blob), 'base64'),
        mimeType: message.mime_type || 'application/octet-stream',
        ...(message.filename && { filename: message.filename }),
      };
    case 'file':
      return { type: 'link', url: String(message.file?.url) };
    default:
      throw new ToolError(
        `The plugin answered with an unknown message type ${JSON.stringify((message as { type?: unknown })?.type)}.`,
      );
  }
}
