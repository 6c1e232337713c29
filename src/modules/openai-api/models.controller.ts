import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentOpenAiCaller, type OpenAiCaller } from './openai-caller';
import { OpenAiKeyGuard } from './openai-key.guard';
import { modelOf, OpenAiModelsService } from './openai-models.service';

@ApiTags('openai-compatible api')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: '{error: {code: "invalid_api_key"}}: missing, unknown or expired key' })
@ApiResponse({ status: 429, description: '{error: {code: "rate_limit_exceeded"}}, with Retry-After' })
@UseGuards(OpenAiKeyGuard)
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: OpenAiModelsService) {}

  @Get()
  @ApiOperation({ summary: 'The apps this key can run, as OpenAI models (id = the app slug)' })
  @ApiResponse({ status: 200, description: '{object: "list", data: [{id, object: "model", created, owned_by}]}' })
  async list(@CurrentOpenAiCaller() caller: OpenAiCaller) {
    const apps = await this.models.list(caller);
    return { object: 'list', data: apps.map((app) => modelOf(app, caller.workspace.name)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One model (app) by id' })
  @ApiResponse({ status: 200, description: '{id, object: "model", created, owned_by}' })
  @ApiResponse({ status: 404, description: '{error: {code: "model_not_found"}}' })
  async get(@CurrentOpenAiCaller() caller: OpenAiCaller, @Param('id') id: string) {
    return modelOf(await this.models.resolve(caller, id), caller.workspace.name);
  }
}
