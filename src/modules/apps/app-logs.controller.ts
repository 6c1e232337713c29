import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { AppLogsService } from './app-logs.service';
import { ConversationListQueryDto, MessageListQueryDto } from './apps.dto';
import { conversationLogOf, messageLogOf } from './apps.wire';

@ApiTags('console: apps')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
/** End users' conversations are for the app's builders: as in Dify, owners, admins and editors read them. */
@Roles('editor')
@Controller('console/api/apps/:id')
export class AppLogsController {
  constructor(private readonly logs: AppLogsService) {}

  @Get('chat-conversations')
  @ApiOperation({ summary: "The app's conversations, most recently active first" })
  @ApiResponse({
    status: 200,
    description:
      '{page, limit, total, has_more, data: [{id, name, status, from_end_user_session_id, message_count, created_at, updated_at}]}',
  })
  @ApiResponse({ status: 400, description: 'invalid_param: bad page or limit' })
  @ApiResponse({ status: 404, description: 'No such app in the current workspace (not_found)' })
  async conversations(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') appId: string,
    @Query() query: ConversationListQueryDto,
  ) {
    const { rows, total } = await this.logs.conversationPage(caller.workspaceId, appId, query.page, query.limit);
    return {
      page: query.page,
      limit: query.limit,
      total,
      has_more: query.page * query.limit < total,
      data: rows.map((r) => conversationLogOf(r.conversation, r.sessionId, r.messageCount)),
    };
  }

  @Get('chat-messages')
  @ApiOperation({
    summary: "A conversation's messages in order: the latest, or with first_id those before that message",
  })
  @ApiResponse({
    status: 200,
    description:
      '{limit, has_more, data: [{id, conversation_id, query, answer, status, error, message_tokens, answer_tokens, total_price, currency, latency, created_at}]}',
  })
  @ApiResponse({ status: 400, description: 'invalid_param: conversation_id missing or not a UUID, bad limit' })
  @ApiResponse({ status: 404, description: 'No such app, conversation or first message (not_found)' })
  async messages(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('id') appId: string,
    @Query() query: MessageListQueryDto,
  ) {
    const { rows, hasMore } = await this.logs.messagePage(
      caller.workspaceId,
      appId,
      query.conversation_id,
      query.first_id,
      query.limit,
    );
    return { limit: query.limit, has_more: hasMore, data: rows.map(messageLogOf) };
  }
}
