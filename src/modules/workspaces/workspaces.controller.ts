import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentAccount, CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import type { Account } from './account.entity';
import { SwitchWorkspaceDto, WorkspaceNameDto } from './workspaces.dto';
import { WorkspacesService } from './workspaces.service';
import { unixSeconds } from '../../common/http/unix-seconds';
import { workspaceInfoOf } from './wire';

@ApiTags('console: workspaces')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Get()
  @ApiOperation({ summary: "The caller's workspaces" })
  async list(@CurrentAccount() account: Account) {
    const rows = await this.workspaces.listFor(account.id);
    return {
      workspaces: rows.map(({ workspace, member }) => ({
        id: workspace.id,
        name: workspace.name,
        plan: 'basic',
        status: workspace.status,
        created_at: unixSeconds(workspace.createdAt),
        current: member.current,
      })),
    };
  }

  @Get('current')
  @ApiOperation({ summary: 'The current workspace and the caller’s role in it' })
  async current(@CurrentCaller() caller: WorkspaceCaller) {
    return workspaceInfoOf(await this.workspaces.current(caller), caller.role);
  }

  @Post('switch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make another of the caller’s workspaces the current one' })
  @ApiResponse({ status: 404, description: 'Not a workspace of the caller' })
  async switch(@CurrentAccount() account: Account, @Body() body: SwitchWorkspaceDto) {
    const { workspace, role } = await this.workspaces.switchTo(account.id, body.tenant_id);
    return { result: 'success', new_tenant: workspaceInfoOf(workspace, role) };
  }

  @Post('current/name')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Rename the current workspace (owner, admin)' })
  async rename(@CurrentCaller() caller: WorkspaceCaller, @Body() body: WorkspaceNameDto, @ReqMeta() meta: RequestMeta) {
    const workspace = await this.workspaces.rename(caller, body.name, meta);
    return { result: 'success', tenant: workspaceInfoOf(workspace, caller.role) };
  }
}
