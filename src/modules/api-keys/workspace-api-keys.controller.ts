import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { CreateWorkspaceApiKeyDto } from './workspace-api-keys.dto';
import { MAX_KEYS_PER_WORKSPACE, WorkspaceApiKeysService } from './workspace-api-keys.service';
import { workspaceApiKeyOf } from './workspace-api-keys.wire';

const WIRE =
  '{id, name, token, app_ids (null = every app), expires_at, rpm, max_concurrent_requests, last_used_at, created_at, created_by}';

@ApiTags('console: workspaces')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current/api-keys')
export class WorkspaceApiKeysController {
  constructor(
    private readonly keys: WorkspaceApiKeysService,
    private readonly audit: AuditLogService,
  ) {}

  /** Editors may see which keys exist (they build the apps the keys reach), not create or delete them. */
  @Get()
  @Roles('editor')
  @ApiOperation({ summary: "The workspace's API keys (sk-keel-…), masked, oldest first" })
  @ApiResponse({ status: 200, description: `{data: [${WIRE}]}` })
  async list(@CurrentCaller() caller: WorkspaceCaller) {
    return { data: (await this.keys.list(caller.workspaceId)).map((key) => workspaceApiKeyOf(key)) };
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: `Create a workspace key; the whole key is in this answer only (at most ${MAX_KEYS_PER_WORKSPACE} per workspace)`,
  })
  @ApiResponse({ status: 201, description: WIRE })
  @ApiResponse({
    status: 400,
    description: `invalid_param: bad field, or an app_ids entry that is not an app of this workspace; max_keys_exceeded: the workspace has ${MAX_KEYS_PER_WORKSPACE} keys`,
  })
  async create(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: CreateWorkspaceApiKeyDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { key, token } = await this.keys.create(caller.workspaceId, caller.account.id, body);
    const wire = workspaceApiKeyOf(key, token);
    await this.audit.recordBy(caller, meta, {
      action: 'workspace.api_key_created',
      target: { type: 'workspace_api_key', id: key.id },
      metadata: {
        name: key.name,
        token_tail: key.tokenTail,
        app_ids: wire.app_ids,
        expires_at: wire.expires_at,
        rpm: wire.rpm,
        max_concurrent_requests: wire.max_concurrent_requests,
      },
    });
    return wire;
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a workspace key; it stops authenticating at once (owner, admin)' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'No such key in the current workspace (not_found)' })
  async remove(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string, @ReqMeta() meta: RequestMeta) {
    const key = await this.keys.remove(caller.workspaceId, id);
    await this.audit.recordBy(caller, meta, {
      action: 'workspace.api_key_deleted',
      target: { type: 'workspace_api_key', id: key.id },
      metadata: { name: key.name, token_tail: key.tokenTail },
    });
  }
}
