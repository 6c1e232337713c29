import { Body, Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppKeyGuard } from './app-key.guard';
import { GenerationService } from './generation.service';
import { CurrentApp, type ServiceCaller } from './service-caller';
import { ChatMessageDto, CompletionMessageDto, StopTaskDto } from './service-api.dto';

@ApiTags('service api')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or invalid app key (unauthorized)' })
@ApiResponse({ status: 403, description: 'app_not_found, app_abnormal_status, app_api_disabled, workspace_archived' })
@ApiResponse({
  status: 429,
  description: 'rate_limit_error (requests per minute or concurrent requests), with Retry-After',
})
@UseGuards(AppKeyGuard)
@Controller('v1')
export class ChatMessagesController {
  constructor(private readonly generation: GenerationService) {}

  @Post('chat-messages')
  @HttpCode(200)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOperation({ summary: 'Send a chat message (chat apps), blocking or streaming (Dify SSE)' })
  @ApiResponse({
    status: 200,
    description:
      'Blocking: {event, task_id, id, message_id, conversation_id, mode, answer, metadata{usage}, created_at}; streaming: message* then message_end (or error)',
  })
  @ApiResponse({
    status: 400,
    description:
      'invalid_param, not_chat_app, app_unavailable, provider_not_initialize, provider_quota_exceeded, model_currently_not_support, completion_request_error, too_many_files',
  })
  @ApiResponse({ status: 404, description: 'Conversation Not Exists.' })
  @ApiResponse({ status: 415, description: 'unsupported_file_type' })
  async chat(@CurrentApp() caller: ServiceCaller, @Body() body: ChatMessageDto, @Res() res: Response): Promise<void> {
    await this.generation.chat(caller.app, body, res);
  }

  @Post('chat-messages/:task_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a running chat message (any replica)' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  async stopChat(@CurrentApp() caller: ServiceCaller, @Param('task_id') taskId: string, @Body() body: StopTaskDto) {
    await this.generation.stop(caller.app, taskId, body.user);
    return { result: 'success' };
  }

  @Post('completion-messages')
  @HttpCode(200)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOperation({ summary: 'Run a completion app, blocking or streaming (Dify SSE)' })
  @ApiResponse({ status: 200, description: 'As chat-messages, without conversation_id' })
  @ApiResponse({ status: 400, description: 'invalid_param, app_unavailable, provider errors as for chat-messages' })
  async completion(
    @CurrentApp() caller: ServiceCaller,
    @Body() body: CompletionMessageDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.generation.completion(caller.app, body, res);
  }

  @Post('completion-messages/:task_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a running completion (any replica)' })
  @ApiResponse({ status: 200, description: '{result: "success"}' })
  async stopCompletion(
    @CurrentApp() caller: ServiceCaller,
    @Param('task_id') taskId: string,
    @Body() body: StopTaskDto,
  ) {
    await this.generation.stop(caller.app, taskId, body.user);
    return { result: 'success' };
  }
}
