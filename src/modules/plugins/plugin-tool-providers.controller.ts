import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiException } from '../../common/errors/api.exception';
import { errorMessage } from '../../common/errors/error-message';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { textOfToolMessages } from '../tools/tool-messages.text';
import { userToolOf } from '../tools/tools.wire';
import { PluginRuntimeService } from './plugin-runtime.service';
import { PluginToolCatalog } from './plugin-tool-catalog.service';
import { PluginToolCredentialsService } from './plugin-tool-credentials.service';
import { PluginToolCredentialsDto, PluginToolTestDto } from './plugin-tool-providers.dto';
import { PluginCallError } from './runtime/plugin-call.errors';

const SUCCESS = { result: 'success' };

/**
 * A plugin tool provider's console routes, at Dify's builtin paths with the provider's full id
 * (`author/plugin/provider`): its tools, its credentials, and a test call.
 */
@ApiTags('console: tools')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@ApiResponse({ status: 404, description: 'No such plugin provider enabled in this workspace' })
@Controller('console/api/workspaces/current/tool-provider/builtin/:author/:plugin/:provider')
export class PluginToolProvidersController {
  constructor(
    private readonly catalog: PluginToolCatalog,
    private readonly credentials: PluginToolCredentialsService,
    private readonly runtime: PluginRuntimeService,
    private readonly audit: AuditLogService,
  ) {}

  @Get('tools')
  @ApiOperation({ summary: "A plugin provider's tools, with their parameters" })
  async tools(@CurrentCaller() caller: WorkspaceCaller, @Param() ids: ProviderIds) {
    const provider = await this.catalog.get(caller.workspaceId, idOf(ids));
    if (!provider) throw notFound(ids);
    return provider.tools.map((tool) => userToolOf(tool, provider.author, provider.tags));
  }

  @Get('credentials_schema')
  @ApiOperation({ summary: "The provider's credential fields" })
  async schema(@CurrentCaller() caller: WorkspaceCaller, @Param() ids: ProviderIds) {
    return (await this.found(caller, ids)).definition.credentialFields;
  }

  @Get('credentials')
  @ApiOperation({ summary: "The workspace's credentials for the provider, secrets masked" })
  async get(@CurrentCaller() caller: WorkspaceCaller, @Param() ids: ProviderIds) {
    const { definition } = await this.found(caller, ids);
    return this.credentials.masked(caller.workspaceId, idOf(ids), definition);
  }

  @Post('update')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Save credentials, after the plugin checked them (validate_credentials)' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({ status: 400, description: 'invalid_param: a missing or unknown field, or the plugin refused them' })
  async update(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param() ids: ProviderIds,
    @Body() body: PluginToolCredentialsDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { version, definition } = await this.found(caller, ids);
    await this.credentials.save(
      caller.workspaceId,
      idOf(ids),
      definition,
      body.credentials,
      caller.account.id,
      async (credentials) => {
        for await (const item of this.runtime.invoke(
          version,
          { type: 'tool', action: 'validate_credentials', provider: definition.name, credentials },
          { workspaceId: caller.workspaceId, userId: caller.account.id },
        )) {
          if ((item as { result?: unknown })?.result === false) throw new Error('the plugin answered result: false');
        }
      },
    );
    await this.audit.recordBy(caller, meta, {
      action: 'tool_provider.updated',
      target: { type: 'plugin_tool_provider', id: idOf(ids) },
      metadata: { fields: Object.keys(body.credentials) },
    });
    return SUCCESS;
  }

  @Post('delete')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Delete the workspace's credentials for the provider" })
  async remove(@CurrentCaller() caller: WorkspaceCaller, @Param() ids: ProviderIds, @ReqMeta() meta: RequestMeta) {
    await this.found(caller, ids);
    await this.credentials.remove(caller.workspaceId, idOf(ids));
    await this.audit.recordBy(caller, meta, {
      action: 'tool_provider.deleted',
      target: { type: 'plugin_tool_provider', id: idOf(ids) },
    });
    return SUCCESS;
  }

  @Post('test')
  @HttpCode(200)
  @Roles('editor')
  @ApiOperation({ summary: 'Run one of the provider’s tools with the saved credentials (Keel)' })
  @ApiResponse({
    status: 200,
    description: '{result: "<the tool\'s text>"} or, when the tool failed, {error: "<why>"}',
  })
  @ApiResponse({ status: 429, description: 'plugin_busy: every slot of the plugin is taken and its queue is full' })
  @ApiResponse({ status: 503, description: 'plugin_unavailable: the plugin failed repeatedly' })
  async test(@CurrentCaller() caller: WorkspaceCaller, @Param() ids: ProviderIds, @Body() body: PluginToolTestDto) {
    const provider = await this.catalog.get(caller.workspaceId, idOf(ids));
    if (!provider) throw notFound(ids);
    const tool = provider.tools.find((t) => t.name === body.tool_name);
    if (!tool) throw new ApiException(404, 'not_found', `${idOf(ids)} has no tool "${body.tool_name}".`);
    try {
      return {
        result: textOfToolMessages(
          await tool.invoke(body.parameters, { workspaceId: caller.workspaceId, userId: caller.account.id }),
        ).text,
      };
    } catch (error) {
      if (error instanceof PluginCallError && (error.status === 429 || error.status === 503)) {
        throw new ApiException(error.status, error.code, error.message, {
          ...(error.status === 429 && { headers: { 'Retry-After': '1' } }),
          cause: error,
        });
      }
      return { error: errorMessage(error) };
    }
  }

  private async found(caller: WorkspaceCaller, ids: ProviderIds) {
    const found = await this.catalog.definition(caller.workspaceId, idOf(ids));
    if (!found) throw notFound(ids);
    return found;
  }
}

interface ProviderIds {
  author: string;
  plugin: string;
  provider: string;
}

const idOf = (ids: ProviderIds) => `${ids.author}/${ids.plugin}/${ids.provider}`;
const notFound = (ids: ProviderIds) =>
  new ApiException(404, 'not_found', `No plugin tool provider ${idOf(ids)} is enabled in this workspace.`);
