import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { PluginEndpointsService } from './plugin-endpoints.service';
import { EndpointIdDto, SetupEndpointDto } from './plugin-endpoints.dto';
import { PluginPermissionsService } from './plugin-permissions.service';
import { PageQueryDto } from './plugins.dto';

const SUCCESS = { success: true };

/** Setting up endpoint plugins in the workspace (served at `/e/<hook_id>/…`). */
@ApiTags('console: plugins')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current/plugin/endpoint')
export class PluginEndpointsController {
  constructor(
    private readonly endpoints: PluginEndpointsService,
    private readonly permissions: PluginPermissionsService,
    private readonly audit: AuditLogService,
  ) {}

  @Post('setup')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Serve an installed endpoint plugin at a new /e/<hook_id>, with the settings its YAML asks for',
  })
  @ApiResponse({ status: 200, description: '{success: true, id, hook_id, url}' })
  @ApiResponse({
    status: 400,
    description: 'invalid_param: a missing or unknown setting, or the plugin has no endpoints',
  })
  @ApiResponse({ status: 404, description: 'plugin_installation_not_found' })
  async setup(@CurrentCaller() caller: WorkspaceCaller, @Body() body: SetupEndpointDto, @ReqMeta() meta: RequestMeta) {
    await this.permissions.assertMayInstall(caller);
    const endpoint = await this.endpoints.setup(caller.workspaceId, caller.account.id, body);
    await this.audit.recordBy(caller, meta, {
      action: 'plugin.endpoint_created',
      target: { type: 'plugin_endpoint', id: endpoint.id },
      metadata: { plugin_id: endpoint.pluginId, name: endpoint.name },
    });
    return { ...SUCCESS, id: endpoint.id, hook_id: endpoint.hookId, url: `/e/${endpoint.hookId}` };
  }

  @Get('list')
  @ApiOperation({ summary: "The workspace's endpoints, secret settings masked" })
  @ApiResponse({
    status: 200,
    description: '{endpoints: [{id, name, hook_id, url, plugin_id, enabled, settings, …}], total}',
  })
  list(@CurrentCaller() caller: WorkspaceCaller, @Query() query: PageQueryDto) {
    return this.endpoints.list(caller.workspaceId, query.page, query.page_size);
  }

  @Post('enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Serve the endpoint again' })
  enable(@CurrentCaller() caller: WorkspaceCaller, @Body() body: EndpointIdDto, @ReqMeta() meta: RequestMeta) {
    return this.change(caller, body.endpoint_id, meta, 'enable');
  }

  @Post('disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop serving the endpoint (its URL answers 404) and keep it' })
  disable(@CurrentCaller() caller: WorkspaceCaller, @Body() body: EndpointIdDto, @ReqMeta() meta: RequestMeta) {
    return this.change(caller, body.endpoint_id, meta, 'disable');
  }

  @Post('remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete the endpoint (its URL answers 404 for good)' })
  remove(@CurrentCaller() caller: WorkspaceCaller, @Body() body: EndpointIdDto, @ReqMeta() meta: RequestMeta) {
    return this.change(caller, body.endpoint_id, meta, 'remove');
  }

  private async change(caller: WorkspaceCaller, id: string, meta: RequestMeta, what: 'enable' | 'disable' | 'remove') {
    await this.permissions.assertMayInstall(caller);
    const endpoint =
      what === 'remove'
        ? await this.endpoints.remove(caller.workspaceId, id)
        : await this.endpoints.setEnabled(caller.workspaceId, id, what === 'enable');
    await this.audit.recordBy(caller, meta, {
      action:
        what === 'remove'
          ? 'plugin.endpoint_removed'
          : what === 'enable'
            ? 'plugin.endpoint_enabled'
            : 'plugin.endpoint_disabled',
      target: { type: 'plugin_endpoint', id: endpoint.id },
      metadata: { plugin_id: endpoint.pluginId },
    });
    return SUCCESS;
  }
}
