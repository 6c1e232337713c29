import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { InvitationService } from './invitation.service';
import { ActivateCheckQueryDto, ActivateDto } from './workspaces.dto';

@ApiTags('console: account')
@Controller('console/api/activate')
export class ActivateController {
  constructor(private readonly invitations: InvitationService) {}

  @Get('check')
  @Public()
  @ApiOperation({ summary: 'Whether an invitation link is still good' })
  @ApiResponse({ status: 200, description: '{is_valid, data: {workspace_name, workspace_id, email} | null}' })
  async check(@Query() query: ActivateCheckQueryDto) {
    const found = await this.invitations.find(query.token, query.workspace_id, query.email);
    return {
      is_valid: Boolean(found),
      data: found
        ? { workspace_name: found.workspace.name, workspace_id: found.workspace.id, email: found.invitation.email }
        : null,
    };
  }

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation: set name and password; signs the new member in' })
  @ApiResponse({ status: 200, description: '{result: "success", data: {access_token, refresh_token}}' })
  @ApiResponse({ status: 403, description: 'The link is invalid, expired or used (already_activate)' })
  async activate(@Body() body: ActivateDto, @ReqMeta() meta: RequestMeta) {
    return { result: 'success', data: await this.invitations.activate(body, meta) };
  }
}
