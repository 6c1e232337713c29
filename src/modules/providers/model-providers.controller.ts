import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import type { ModelProvider, ProviderModel } from './model-provider';
import { ProviderCredentialsService } from './provider-credentials.service';
import { ProviderRegistry } from './provider.registry';
import { SaveCredentialsDto } from './providers.dto';

const i18n = (text: string) => ({ en_US: text, zh_Hans: text });

function providerOf(provider: ModelProvider, configured: boolean) {
  return {
    provider: provider.name,
    label: i18n(provider.label),
    description: i18n(provider.description),
    supported_model_types: ['llm'],
    configurate_methods: ['predefined-model'],
    provider_credential_schema: {
      credential_form_schemas: provider.credentialFields.map((f) => ({
        variable: f.variable,
        label: i18n(f.label),
        type: f.type,
        required: f.required,
        placeholder: f.placeholder ? i18n(f.placeholder) : null,
      })),
    },
    custom_configuration: { status: configured ? 'active' : 'no-configure' },
  };
}

function embeddingModelOf(model: string) {
  return {
    model,
    label: i18n(model),
    model_type: 'text-embedding',
    fetch_from: 'predefined-model',
    model_properties: {},
    status: 'active',
  };
}

function modelOf(model: ProviderModel) {
  return {
    model: model.model,
    label: i18n(model.model),
    model_type: 'llm',
    fetch_from: 'predefined-model',
    model_properties: { mode: model.mode },
    pricing: { input: model.inputPrice, output: model.outputPrice, unit: '0.001', currency: model.currency },
    status: 'active',
  };
}

@ApiTags('console: model providers')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current/model-providers')
export class ModelProvidersController {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly credentials: ProviderCredentialsService,
    private readonly audit: AuditLogService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every model provider, with whether the current workspace has configured it' })
  async list(@CurrentCaller() caller: WorkspaceCaller) {
    const configured = await this.credentials.configuredNames(caller.workspaceId);
    const providers = await this.registry.listForWorkspace(caller.workspaceId);
    return { data: providers.map((p) => providerOf(p, configured.has(p.name))) };
  }

  @Get(':provider/credentials')
  @ApiOperation({ summary: "The workspace's credentials for a provider, secrets masked" })
  async read(@CurrentCaller() caller: WorkspaceCaller, @Param('provider') provider: string) {
    await this.credentials.provider(caller.workspaceId, provider);
    return { credentials: (await this.credentials.masked(caller.workspaceId, provider)) ?? null };
  }

  @Post(':provider/credentials')
  @Roles('admin')
  @ApiOperation({ summary: 'Set (or replace) the credentials; checked by a live call before saving' })
  @ApiResponse({ status: 201, description: '{result: "success"}' })
  @ApiResponse({
    status: 400,
    description: "invalid_param: malformed, or rejected by the provider (with the provider's reason)",
  })
  @ApiResponse({ status: 404, description: 'No such provider' })
  async save(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('provider') provider: string,
    @Body() body: SaveCredentialsDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.credentials.save(caller.workspaceId, provider, body.credentials, caller.account.id);
    await this.audit.recordBy(caller, meta, {
      action: 'provider.credentials_saved',
      target: { type: 'model_provider', id: provider },
    });
    return { result: 'success' };
  }

  @Delete(':provider/credentials')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the credentials' })
  @ApiResponse({ status: 204, description: 'Removed (or were not set)' })
  async remove(
    @CurrentCaller() caller: WorkspaceCaller,
    @Param('provider') provider: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    if (await this.credentials.remove(caller.workspaceId, provider)) {
      await this.audit.recordBy(caller, meta, {
        action: 'provider.credentials_deleted',
        target: { type: 'model_provider', id: provider },
      });
    }
  }

  @Get(':provider/models')
  @ApiOperation({ summary: "The provider's models, with prices per 1K tokens" })
  async models(@CurrentCaller() caller: WorkspaceCaller, @Param('provider') provider: string) {
    const chat = (await this.credentials.models(caller.workspaceId, provider)).map(modelOf);
    const configured = await this.credentials.configured(caller.workspaceId, provider);
    const embedding = (await configured?.provider.listEmbeddingModels?.(configured.credentials)) ?? [];
    return { data: [...chat, ...embedding.map(embeddingModelOf)] };
  }
}
