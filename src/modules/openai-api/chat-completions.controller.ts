import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ChatCompletionDto } from './chat-completions.dto';
import { ChatCompletionsService, OVERHEAD_HEADER } from './chat-completions.service';
import { CurrentOpenAiCaller, type OpenAiCaller } from './openai-caller';
import { OpenAiKeyGuard } from './openai-key.guard';

@ApiTags('openai-compatible api')
@ApiBearerAuth()
@UseGuards(OpenAiKeyGuard)
@Controller('v1/chat')
export class ChatCompletionsController {
  constructor(private readonly completions: ChatCompletionsService) {}

  @Post('completions')
  @HttpCode(200)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOperation({
    summary: 'OpenAI chat completions on a chat or completion app (model = the app slug), blocking or streaming',
  })
  @ApiHeader({
    name: 'X-Conversation-Id',
    required: false,
    description: "Stores the turn in the chat app's conversation bound to this id (created when unknown)",
  })
  @ApiHeader({ name: 'X-OpenWebUI-Chat-Id', required: false, description: 'As X-Conversation-Id (Open WebUI)' })
  @ApiHeader({ name: 'X-OpenWebUI-User-Id', required: false, description: 'The end user when `user` is not given' })
  @ApiResponse({
    status: 200,
    description: `chat.completion (JSON) or chat.completion.chunk frames then data: [DONE] (SSE); header ${OVERHEAD_HEADER}`,
  })
  @ApiResponse({ status: 400, description: '{error: {type: "invalid_request_error", param}}: a bad field, n ≠ 1' })
  @ApiResponse({ status: 401, description: '{error: {code: "invalid_api_key"}}' })
  @ApiResponse({ status: 404, description: '{error: {code: "model_not_found"}}' })
  @ApiResponse({ status: 429, description: '{error: {code: "rate_limit_exceeded"}}, with Retry-After' })
  @ApiResponse({ status: 502, description: '{error: {type: "upstream_error"}}: the model provider failed' })
  async create(
    @CurrentOpenAiCaller() caller: OpenAiCaller,
    @Body() body: ChatCompletionDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.completions.complete(caller, body, req, res);
  }
}
