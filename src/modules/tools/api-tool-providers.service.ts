import { errorMessage } from '../../common/errors/error-message';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { GuardedHttp } from '../../common/ssrf/guarded-http';
import { maskCredentials } from '../providers/credential.masker';
import { CredentialCipher } from '../providers/credential.cipher';
import { ApiToolProvider } from './api-tool-provider.entity';
import {
  API_TOOL_SECRET_CREDENTIAL_FIELDS,
  type ApiToolCredentials,
  parseApiToolCredentials,
} from './api/api-credentials';
import { fetchSchemaTextThrough } from './api/api-schema.fetch';
import { type ParsedApiSchema, parseApiSchema } from './api/api-schema.parser';
import type { ApiToolBundle } from './api/api-tool-bundle';
import { ApiTool } from './api/api-tool';
import { textOfToolMessages } from './tool-messages.text';
import type { I18nText, Tool } from './tool.types';
import type { AddApiProviderDto, TestApiToolDto, UpdateApiProviderDto } from './tools.dto';

const SECRET_FIELDS: readonly string[] = API_TOOL_SECRET_CREDENTIAL_FIELDS;

const notFound = (name: string) => new ApiException(404, 'not_found', `API tool provider "${name}" does not exist.`);

/**
 * A workspace's custom API tool providers: schemas parsed into one tool per operation when saved,
 * credentials sealed at rest and masked when shown, and the tools built for runs and tests.
 */
@Injectable()
export class ApiToolProvidersService {
  constructor(
    @InjectRepository(ApiToolProvider) private readonly providers: Repository<ApiToolProvider>,
    private readonly cipher: CredentialCipher,
    private readonly http: GuardedHttp,
  ) {}

  /** Parses a schema for the console's preview; never contacts the servers it names. */
  parse(schema: string): Promise<ParsedApiSchema> {
    return this.parsed(schema);
  }

  /** A schema served at a URL, fetched through the SSRF guard and checked to parse. */
  async remoteSchema(url: string): Promise<{ schema: string }> {
    const response = await this.http.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json, application/yaml, text/yaml, */*' },
    });
    if (response.status !== 200) {
      throw new InvalidParamException('url', `url: the server answered ${response.status}, not a schema.`);
    }
    const schema = response.body.toString('utf8');
    await this.parsed(schema);
    return { schema };
  }

  list(workspaceId: string): Promise<ApiToolProvider[]> {
    return this.providers.find({ where: { workspaceId }, order: { createdAt: 'ASC' } });
  }

  async get(workspaceId: string, name: string): Promise<ApiToolProvider> {
    const provider = await this.providers.findOneBy({ workspaceId, name });
    if (!provider) throw notFound(name);
    return provider;
  }

  /** The provider's credentials with secrets masked. */
  maskedCredentials(provider: ApiToolProvider): Record<string, unknown> {
    return maskCredentials(this.cipher.decrypt<ApiToolCredentials>(provider.encryptedCredentials), SECRET_FIELDS);
  }

  async add(workspaceId: string, accountId: string, dto: AddApiProviderDto): Promise<ApiToolProvider> {
    await this.checkNameFree(workspaceId, dto.provider);
    const now = new Date();
    const provider: ApiToolProvider = {
      id: randomUUID(),
      workspaceId,
      ...(await this.settingsFrom(dto, parseApiToolCredentials(dto.credentials))),
      createdBy: accountId,
      createdAt: now,
      updatedAt: now,
    };
    await this.providers.insert(provider as QueryDeepPartialEntity<ApiToolProvider>);
    return provider;
  }

  /**
   * Replaces a provider's schema, settings and credentials; a credential sent back exactly as it
   * was shown masked keeps its saved value.
   */
  async update(workspaceId: string, dto: UpdateApiProviderDto): Promise<ApiToolProvider> {
    const provider = await this.get(workspaceId, dto.original_provider);
    if (dto.provider !== dto.original_provider) await this.checkNameFree(workspaceId, dto.provider);
    const settings = await this.settingsFrom(dto, parseApiToolCredentials(this.unmasked(provider, dto.credentials)));
    const changes = { ...settings, updatedAt: new Date() };
    await this.providers.update({ id: provider.id }, changes as QueryDeepPartialEntity<ApiToolProvider>);
    return Object.assign(provider, changes);
  }

  private async checkNameFree(workspaceId: string, name: string): Promise<void> {
    if (await this.providers.existsBy({ workspaceId, name })) {
      throw new ApiException(409, 'provider_exists', `API tool provider "${name}" already exists.`);
    }
  }

  /** What the console sets on a provider, the schema parsed and the credentials sealed. */
  private async settingsFrom(dto: AddApiProviderDto, credentials: ApiToolCredentials) {
    const parsed = await this.parsed(dto.schema);
    return {
      name: dto.provider,
      icon: dto.icon,
      description: parsed.description,
      schemaType: parsed.schema_type,
      schema: dto.schema,
      tools: parsed.bundles,
      encryptedCredentials: this.cipher.encrypt(credentials),
      privacyPolicy: dto.privacy_policy,
      customDisclaimer: dto.custom_disclaimer,
      labels: dto.labels,
    };
  }

  async delete(workspaceId: string, name: string): Promise<ApiToolProvider> {
    const provider = await this.get(workspaceId, name);
    await this.providers.delete({ id: provider.id });
    return provider;
  }

  /** The provider (by id or name) with its tools ready to run, or null. */
  async runnable(workspaceId: string, ref: string): Promise<{ label: I18nText; icon: unknown; tools: Tool[] } | null> {
    const provider = await this.providers.findOne({
      where: [
        { workspaceId, id: ref },
        { workspaceId, name: ref },
      ],
    });
    if (!provider) return null;
    const credentials = this.cipher.decrypt<ApiToolCredentials>(provider.encryptedCredentials);
    return {
      label: { en_US: provider.name },
      icon: provider.icon,
      tools: (provider.tools as ApiToolBundle[]).map((bundle) => new ApiTool(bundle, credentials, this.http)),
    };
  }

  /**
   * Runs one operation of a schema that may not be saved yet (the console's "test" button). A
   * failing call is an answer (`{error}`), as Dify gives it; a bad schema or tool name is a 400.
   */
  async test(workspaceId: string, dto: TestApiToolDto): Promise<{ result: string } | { error: string }> {
    const parsed = await this.parsed(dto.schema);
    const bundle = parsed.bundles.find((b) => b.operation_id === dto.tool_name);
    if (!bundle)
      throw new InvalidParamException('tool_name', `tool_name: the schema has no operation "${dto.tool_name}"`);
    const saved = dto.provider_name ? await this.providers.findOneBy({ workspaceId, name: dto.provider_name }) : null;
    const credentials = parseApiToolCredentials(saved ? this.unmasked(saved, dto.credentials) : dto.credentials);
    try {
      const messages = await new ApiTool(bundle, credentials, this.http).invoke(dto.parameters, { workspaceId });
      return { result: textOfToolMessages(messages).text };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  /**
   * Parses a schema (a 400 `invalid schema: …` naming what is wrong when it does not); an
   * OpenAI-plugin manifest's OpenAPI document is fetched through the guard.
   */
  private parsed(schema: string): Promise<ParsedApiSchema> {
    return parseApiSchema(schema, { fetchText: fetchSchemaTextThrough(this.http) });
  }

  /** Masked values sent back unchanged stand for the saved secrets. */
  private unmasked(provider: ApiToolProvider, sent: Record<string, unknown>): Record<string, unknown> {
    const saved = this.cipher.decrypt<Record<string, unknown>>(provider.encryptedCredentials);
    const masked = maskCredentials(saved, SECRET_FIELDS);
    const out = { ...sent };
    for (const field of SECRET_FIELDS) {
      if (out[field] !== undefined && out[field] === masked[field]) out[field] = saved[field];
    }
    return out;
  }
}
