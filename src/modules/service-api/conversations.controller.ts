import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppKeyGuard } from './app-key.guard';
import { ConversationApiService } from './conversation-api.service';
import { CurrentApp, type ServiceCaller } from './service-caller';
import { ConversationsQueryDto, RenameConversationDto, UserBodyDto, VariablesQueryDto } from './service-api.dto';

@ApiTags('service api')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or invalid app key (unauthorized)' })
@UseGuards(AppKeyGuard)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly api: ConversationApiService) {}

  @Get()
  @ApiOperation({ summary: "The end user's conversations (last_id, limit 1–100, sort_by); an unseen user gets []" })
  @ApiResponse({
    status: 200,
    description: '{limit, has_more, data: [{id, name, inputs, status, introduction, created_at, updated_at}]}',
  })
  list(@CurrentApp() caller: ServiceCaller, @Query() query: ConversationsQueryDto) {
    return this.api.list(caller.app, query.user, {
      lastId: query.last_id ?? undefined,
      limit: query.limit,
      sortBy: query.sort_by,
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation (JSON body {user})' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'Conversation Not Exists.' })
  async delete(@CurrentApp() caller: ServiceCaller, @Param('id') id: string, @Body() body: UserBodyDto): Promise<void> {
    await this.api.delete(caller.app, id, body.user);
  }

  @Post(':id/name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rename, or let the app’s model name it (auto_generate)' })
  @ApiResponse({ status: 200, description: 'The conversation' })
  rename(@CurrentApp() caller: ServiceCaller, @Param('id') id: string, @Body() body: RenameConversationDto) {
    return this.api.rename(caller.app, id, body);
  }

  @Get(':id/variables')
  @ApiOperation({ summary: 'Conversation variables (chat and completion apps have none)' })
  @ApiResponse({ status: 200, description: '{limit, has_more: false, data: []}' })
  variables(@CurrentApp() caller: ServiceCaller, @Param('id') id: string, @Query() query: VariablesQueryDto) {
    return this.api.variables(caller.app, id, query.user, query.limit);
  }
}
