import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { ApiEnableDto, AppListQueryDto, CreateAppDto, ModelConfigDto, UpdateAppDto } from './apps.dto';
import { AppsService } from './apps.service';
import { appOf } from './apps.wire';

const NOT_FOUND = { status: 404, description: 'No such app in the current workspace (not_found)' } as const;

@ApiTags('console: apps')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @Roles('editor')
  @ApiOperation({ summary: 'Create an app (modes chat and completion)' })
  @ApiResponse({ status: 201, description: 'The app' })
  @ApiResponse({ status: 400, description: 'invalid_param: bad field, or a mode not supported yet' })
  async create(@CurrentCaller() caller: WorkspaceCaller, @Body() body: CreateAppDto, @ReqMeta() meta: RequestMeta) {
    const app = await this.apps.create(caller.workspaceId, caller.account.id, body);
    await this.audit.recordBy(caller, meta, {
      action: 'app.created',
      target: { type: 'app', id: app.id },
      metadata: { name: app.name, mode: app.mode },
    });
    return appOf(app);
  }

  @Get()
  @ApiOperation({ summary: "The workspace's apps, newest first; filter by mode and by name (substring)" })
  @ApiResponse({ status: 200, description: '{page, limit, total, has_more, data}' })
  @ApiResponse({ status: 400, description: 'invalid_param: bad page, limit or mode' })
  async list(@CurrentCaller() caller: WorkspaceCaller, @Query() query: AppListQueryDto) {
    const { rows, total } = await this.apps.list(caller.workspaceId, query);
    return {
      page: query.page,
      limit: query.limit,
      total,
      has_more: query.page * query.limit < total,
      data: rows.map(appOf),
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One app, with its model configuration' })
  @ApiResponse(NOT_FOUND)
  async get(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string) {
    return appOf(await this.apps.get(caller.workspaceId, id));
  }

  @Put(':id')
  @Roles('editor')
  @ApiOperation({ summary: "Change an app's name, description, icon or API limits (0 = unlimited, null = default)" })
  @ApiResponse({ status: 200, description: 'The app' })
  @ApiResponse(NOT_FOUND)
  async update(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string, @Body() body: UpdateAppDto) {
    return appOf(await this.apps.update(caller.workspaceId, id, body));
  }

  @Delete(':id')
  @Roles('editor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an app with its API keys, end users, conversations and messages' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse(NOT_FOUND)
  async remove(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string, @ReqMeta() meta: RequestMeta) {
    const app = await this.apps.remove(caller.workspaceId, id);
    await this.audit.recordBy(caller, meta, {
      action: 'app.deleted',
      target: { type: 'app', id: app.id },
      metadata: { name: app.name, mode: app.mode },
    });
  }

  @Post(':id/model-config')
  @Roles('editor')
  @HttpCode(200)
  @ApiOperation({
    summary: "Set the app's model configuration (Dify's fields; only model is required)",
    description: 'The provider must be configured in the workspace and offer the model; a chat app needs a chat model.',
  })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  @ApiResponse({
    status: 400,
    description: 'invalid_param naming the field; provider_not_initialize when the provider is not configured',
  })
  @ApiResponse(NOT_FOUND)
  async saveModelConfig(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') id: string,
    @Body() body: ModelConfigDto,
  ) {
    await this.apps.saveModelConfig(caller.workspaceId, id, body);
    return { result: 'success' };
  }

  @Post(':id/api-enable')
  @Roles('editor')
  @HttpCode(200)
  @ApiOperation({ summary: "Switch the app's Service API on or off" })
  @ApiResponse({ status: 200, description: 'The app' })
  @ApiResponse(NOT_FOUND)
  async apiEnable(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string, @Body() body: ApiEnableDto) {
    return appOf(await this.apps.setApiEnabled(caller.workspaceId, id, body.enable_api));
  }
}
