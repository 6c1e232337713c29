import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { ToolManager } from '../tools/tool-manager.service';
import { Account } from '../workspaces/account.entity';
import { AppKeyGuard } from './app-key.guard';
import { CurrentApp, type ServiceCaller } from './service-caller';
import { ServiceApiErrors } from './service-api.exceptions';
import { parametersOf } from './service-api.wire';

@ApiTags('service api')
@Controller('v1')
export class ServiceApiIndexController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'Welcome (no key needed)' })
  @ApiResponse({ status: 200, description: '{welcome, api_version, server_version}' })
  index() {
    return { welcome: 'Dify OpenAPI', api_version: 'v1', server_version: this.config.version };
  }
}

@ApiTags('service api')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or invalid app key (unauthorized)' })
@UseGuards(AppKeyGuard)
@Controller('v1')
export class AppInfoController {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly tools: ToolManager,
  ) {}

  @Get('parameters')
  @ApiOperation({ summary: 'The app’s input form, features and upload limits' })
  @ApiResponse({
    status: 200,
    description: 'opening_statement, suggested_questions, user_input_form, file_upload, system_parameters, …',
  })
  @ApiResponse({ status: 400, description: 'app_unavailable (no model configured)' })
  parameters(@CurrentApp() caller: ServiceCaller) {
    if (!caller.app.modelConfig) throw ServiceApiErrors.appUnavailable();
    return parametersOf(caller.app.modelConfig);
  }

  @Get('meta')
  @ApiOperation({ summary: "The icons of an agent app's tools, by tool name" })
  @ApiResponse({ status: 200, description: '{tool_icons: {tool_name: icon}} (empty for other apps)' })
  async meta(@CurrentApp() caller: ServiceCaller) {
    return { tool_icons: await this.tools.toolIcons(caller.app) };
  }

  @Get('info')
  @ApiOperation({ summary: 'The app’s name, description, tags, mode and author' })
  async info(@CurrentApp() caller: ServiceCaller) {
    const { app } = caller;
    const author = app.createdBy ? await this.accounts.findOneBy({ id: app.createdBy }) : null;
    return { name: app.name, description: app.description, tags: [], mode: app.mode, author_name: author?.name ?? '' };
  }

  @Get('site')
  @ApiOperation({ summary: 'Web app settings: Keel apps have no web app yet (403)' })
  @ApiResponse({ status: 403, description: 'forbidden' })
  site(): never {
    throw new ApiException(403, 'forbidden', 'Site is not available for this app.');
  }

  @Post(['workflows/run', 'workflows/:workflow_id/run'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Workflow apps do not exist yet: every app answers not_workflow_app' })
  @ApiResponse({ status: 400, description: 'not_workflow_app' })
  runWorkflow(): never {
    throw new ApiException(
      400,
      'not_workflow_app',
      'Please check if your Workflow app mode matches the right API route.',
    );
  }
}
