import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { MembersService } from './members.service';
import { InviteMembersDto, OwnerTransferDto, UpdateRoleDto } from './workspaces.dto';
import { memberOf } from './wire';

@ApiTags('console: workspaces')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ summary: 'Members of the current workspace (pending invitees included)' })
  async list(@CurrentCaller() caller: WorkspaceCaller) {
    const rows = await this.members.list(caller.workspaceId);
    return { result: 'success', accounts: rows.map(({ account, member }) => memberOf(account, member)) };
  }

  @Post('invite-email')
  @Roles('admin')
  @ApiOperation({ summary: 'Invite by email with a role (owner, admin); each address succeeds or fails alone' })
  @ApiResponse({
    status: 201,
    description: '{result, invitation_results: [{status, email, url | message}], tenant_id}',
  })
  async invite(@CurrentCaller() caller: WorkspaceCaller, @Body() body: InviteMembersDto, @ReqMeta() meta: RequestMeta) {
    const results = await this.members.invite(caller, body.emails, body.role, meta);
    return { result: 'success', invitation_results: results, tenant_id: caller.workspaceId };
  }

  @Put(':id/update-role')
  @Roles('owner')
  @ApiOperation({ summary: "Change a member's role (owner)" })
  @ApiResponse({ status: 404, description: 'No such member in the current workspace' })
  async updateRole(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') id: string,
    @Body() body: UpdateRoleDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.members.updateRole(caller, id, body.role, meta);
    return { result: 'success' };
  }

  @Delete(':id')
  @Roles('owner')
  @ApiOperation({ summary: 'Remove a member (owner)' })
  @ApiResponse({ status: 404, description: 'No such member in the current workspace' })
  async remove(@CurrentCaller() caller: WorkspaceCaller, @Param('id') id: string, @ReqMeta() meta: RequestMeta) {
    await this.members.remove(caller, id, meta);
    return { result: 'success', tenant_id: caller.workspaceId };
  }

  @Post(':id/owner-transfer')
  @HttpCode(200)
  @Roles('owner')
  @ApiOperation({ summary: 'Make another member the owner; the caller becomes admin (owner; password required)' })
  @ApiResponse({ status: 404, description: 'No such member in the current workspace' })
  async transfer(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') id: string,
    @Body() body: OwnerTransferDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.members.transferOwnership(caller, id, body.password, meta);
    return { result: 'success' };
  }
}
