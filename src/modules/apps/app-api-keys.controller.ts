import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { AppApiKeysService, MAX_KEYS_PER_APP } from './app-api-keys.service';
import { apiKeyOf } from './apps.wire';

@ApiTags('console: apps')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/apps/:id/api-keys')
export class AppApiKeysController {
  constructor(
    private readonly keys: AppApiKeysService,
    private readonly audit: AuditLogService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The app's Service API keys, masked (app-****abcd)" })
  @ApiResponse({ status: 200, description: '{data: [{id, type, token, last_used_at, created_at}]}' })
  @ApiResponse({ status: 404, description: 'No such app in the current workspace (not_found)' })
  async list(@CurrentCaller() caller: WorkspaceCaller, @Param('id') appId: string) {
    return { data: (await this.keys.list(caller.workspaceId, appId)).map((key) => apiKeyOf(key)) };
  }

  @Post()
  @Roles('editor')
  @ApiOperation({ summary: `Create a key; the whole key is in this answer only (at most ${MAX_KEYS_PER_APP} per app)` })
  @ApiResponse({ status: 201, description: '{id, type: "app", token, last_used_at, created_at}' })
  @ApiResponse({ status: 400, description: `max_keys_exceeded: the app has ${MAX_KEYS_PER_APP} keys` })
  @ApiResponse({ status: 404, description: 'No such app in the current workspace (not_found)' })
  async create(@CurrentCaller() caller: WorkspaceCaller, @Param('id') appId: string, @ReqMeta() meta: RequestMeta) {
    const { key, token } = await this.keys.create(caller.workspaceId, appId, caller.account.id);
    await this.audit.recordBy(caller, meta, {
      action: 'app.api_key_created',
      target: { type: 'app_api_key', id: key.id },
      metadata: { app_id: key.appId, token_tail: key.tokenTail },
    });
    return apiKeyOf(key, token);
  }

  /** Dify lets editors create keys but only owners and admins delete them. */
  @Delete(':keyId')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a key (owner, admin)' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'No such app, or no such key of this app (not_found)' })
  async remove(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') appId: string,
    @Param('keyId') keyId: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    const key = await this.keys.remove(caller.workspaceId, appId, keyId);
    await this.audit.recordBy(caller, meta, {
      action: 'app.api_key_deleted',
      target: { type: 'app_api_key', id: key.id },
      metadata: { app_id: key.appId, token_tail: key.tokenTail },
    });
  }
}
