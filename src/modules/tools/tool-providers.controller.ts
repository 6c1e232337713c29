import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiException } from '../../common/errors/api.exception';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { Public } from '../auth/public.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { ApiToolProvidersService } from './api-tool-providers.service';
import { toApiSchemaPreview } from './api/api-schema-preview';
import type { ApiToolBundle } from './api/api-tool-bundle';
import { ToolProviderRegistry } from './tool-provider.registry';
import {
  AddApiProviderDto,
  DeleteApiProviderDto,
  ParseSchemaDto,
  ProviderQueryDto,
  RemoteSchemaQueryDto,
  TestApiToolDto,
  UpdateApiProviderDto,
} from './tools.dto';
import { apiProviderDetailOf, apiProviderOf, apiUserToolOf, sharedProviderOf, userToolOf } from './tools.wire';

const SUCCESS = { result: 'success' };

/** Dify's console tool routes: every provider kind listed, custom API providers managed. */
@ApiTags('console: tools')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current')
export class ToolProvidersController {
  constructor(
    private readonly registry: ToolProviderRegistry,
    private readonly apiProviders: ApiToolProvidersService,
    private readonly audit: AuditLogService,
  ) {}

  @Get('tool-providers')
  @ApiOperation({ summary: 'Every tool provider the workspace can use: built-in, plugin and its API providers' })
  @ApiResponse({ status: 200, description: '[UserToolProvider] (Dify: a bare array)' })
  async list(@CurrentCaller() caller: WorkspaceCaller, @Query('type') type?: string) {
    const shared = (await this.registry.listForWorkspace(caller.workspaceId))
      .filter((p) => !type || p.type === type)
      .map(sharedProviderOf);
    const api =
      !type || type === 'api'
        ? (await this.apiProviders.list(caller.workspaceId)).map((p) => apiProviderOf(p, caller.account.name))
        : [];
    return [...shared, ...api];
  }

  @Get('tool-provider/builtin/:provider/tools')
  @ApiOperation({ summary: "A built-in provider's tools, with their parameters" })
  @ApiResponse({ status: 404, description: 'No such built-in provider' })
  builtinTools(@Param('provider') name: string) {
    const provider = this.registry.get('builtin', name);
    if (!provider) throw new ApiException(404, 'not_found', `Built-in tool provider "${name}" does not exist.`);
    return provider.tools.map((tool) => userToolOf(tool, provider.author, provider.tags));
  }

  @Get('tool-provider/builtin/:provider/icon')
  @Public()
  @ApiOperation({ summary: "A built-in provider's icon (no login needed, as Dify's console loads it in <img>)" })
  @ApiResponse({ status: 404, description: 'No such built-in provider' })
  builtinIcon(@Param('provider') name: string, @Res() res: Response) {
    const icon = this.registry.get('builtin', name)?.iconFile;
    if (!icon) throw new ApiException(404, 'not_found', `Built-in tool provider "${name}" does not exist.`);
    res.status(200).type(icon.mimeType).setHeader('cache-control', 'public, max-age=3600').send(icon.content);
  }

  @Post('tool-provider/api/schema')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Parse an OpenAPI 3 / Swagger 2 / OpenAI-plugin schema (JSON or YAML) and preview its tools',
  })
  @ApiResponse({ status: 200, description: '{schema_type, parameters_schema, credentials_schema, warning}' })
  @ApiResponse({ status: 400, description: 'invalid_param: what is wrong with the schema (with its line when known)' })
  async parseSchema(@Body() body: ParseSchemaDto) {
    return toApiSchemaPreview(await this.apiProviders.parse(body.schema));
  }

  @Get('tool-provider/api/remote')
  @ApiOperation({ summary: 'Fetch a schema from a URL (through the SSRF guard) and check that it parses' })
  @ApiResponse({ status: 200, description: '{schema}' })
  @ApiResponse({ status: 400, description: 'ssrf_blocked, outbound_request_failed or invalid_param' })
  remoteSchema(@Query() query: RemoteSchemaQueryDto) {
    return this.apiProviders.remoteSchema(query.url);
  }

  @Post('tool-provider/api/add')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Add a custom API tool provider' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({ status: 400, description: 'invalid_param: bad schema or credentials' })
  @ApiResponse({ status: 409, description: 'provider_exists' })
  async add(@CurrentCaller() caller: WorkspaceCaller, @Body() body: AddApiProviderDto, @ReqMeta() meta: RequestMeta) {
    const provider = await this.apiProviders.add(caller.workspaceId, caller.account.id, body);
    await this.audit.recordBy(caller, meta, {
      action: 'tool_provider.created',
      target: { type: 'tool_provider', id: provider.id },
      metadata: { name: provider.name, operations: provider.tools.length },
    });
    return SUCCESS;
  }

  @Post('tool-provider/api/update')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Replace a custom API tool provider; masked credentials sent back keep their saved values' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({ status: 404, description: 'No such provider' })
  async update(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: UpdateApiProviderDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    const provider = await this.apiProviders.update(caller.workspaceId, body);
    await this.audit.recordBy(caller, meta, {
      action: 'tool_provider.updated',
      target: { type: 'tool_provider', id: provider.id },
      metadata: { name: provider.name, operations: provider.tools.length },
    });
    return SUCCESS;
  }

  @Post('tool-provider/api/delete')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Delete a custom API tool provider' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({ status: 404, description: 'No such provider' })
  async delete(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: DeleteApiProviderDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    const provider = await this.apiProviders.delete(caller.workspaceId, body.provider);
    await this.audit.recordBy(caller, meta, {
      action: 'tool_provider.deleted',
      target: { type: 'tool_provider', id: provider.id },
      metadata: { name: provider.name },
    });
    return SUCCESS;
  }

  @Get('tool-provider/api/get')
  @ApiOperation({ summary: 'A custom API tool provider as saved, credentials masked' })
  @ApiResponse({ status: 404, description: 'No such provider' })
  async get(@CurrentCaller() caller: WorkspaceCaller, @Query() query: ProviderQueryDto) {
    const provider = await this.apiProviders.get(caller.workspaceId, query.provider);
    return apiProviderDetailOf(provider, this.apiProviders.maskedCredentials(provider));
  }

  @Get('tool-provider/api/tools')
  @ApiOperation({ summary: "A custom API tool provider's tools" })
  @ApiResponse({ status: 404, description: 'No such provider' })
  async tools(@CurrentCaller() caller: WorkspaceCaller, @Query() query: ProviderQueryDto) {
    const provider = await this.apiProviders.get(caller.workspaceId, query.provider);
    return (provider.tools as ApiToolBundle[]).map((b) => apiUserToolOf(b, caller.account.name, provider.labels));
  }

  @Post('tool-provider/api/test/pre')
  @HttpCode(200)
  @Roles('editor')
  @ApiOperation({ summary: 'Run one operation of a schema with given credentials and parameters' })
  @ApiResponse({ status: 200, description: '{result: "<response text>"} or, when the call failed, {error: "<why>"}' })
  @ApiResponse({ status: 400, description: 'invalid_param: bad schema, tool name or credentials' })
  test(@CurrentCaller() caller: WorkspaceCaller, @Body() body: TestApiToolDto) {
    return this.apiProviders.test(caller.workspaceId, body);
  }
}
