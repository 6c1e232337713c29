import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { CredentialCipher } from './credential.cipher';
import { maskCredentials } from './credential.masker';
import type { ModelProvider, ProviderModel } from './model-provider';
import { ProviderCredential } from './provider-credential.entity';
import { ProviderRegistry } from './provider.registry';
import { UpstreamError } from './upstream.error';

/** A provider ready to call: the implementation and the workspace's decrypted credentials. */
export interface ConfiguredProvider {
  provider: ModelProvider;
  credentials: Record<string, unknown>;
}

/**
 * A workspace's model provider credentials: validated by a live call before they are saved,
 * sealed at rest, shown masked. Every lookup is scoped to one workspace.
 */
@Injectable()
export class ProviderCredentialsService {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly cipher: CredentialCipher,
    @InjectRepository(ProviderCredential) private readonly rows: Repository<ProviderCredential>,
  ) {}

  /** The provider, or 404 naming it. */
  provider(name: string): ModelProvider {
    const provider = this.registry.get(name);
    if (!provider) throw new ApiException(404, 'not_found', `Model provider "${name}" does not exist.`);
    return provider;
  }

  /** Which providers the workspace has configured. */
  async configuredNames(workspaceId: string): Promise<Set<string>> {
    const rows = await this.rows.find({ where: { workspaceId }, select: { provider: true } });
    return new Set(rows.map((r) => r.provider));
  }

  /** Checks the shape, then the credentials themselves against the provider; saves (replacing) on success. */
  async save(workspaceId: string, name: string, input: unknown, accountId: string): Promise<void> {
    const provider = this.provider(name);
    const parsed = provider.credentialSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      throw new ApiException(400, 'invalid_param', field ? `${field}: ${issue.message}` : issue.message);
    }
    try {
      await provider.validateCredentials(parsed.data);
    } catch (error) {
      const reason = UpstreamError.from(error).message;
      throw new ApiException(400, 'invalid_param', `Credentials validation failed: ${reason}`);
    }
    const now = new Date();
    const sealed = this.cipher.encrypt(parsed.data);
    const existing = await this.rows.findOneBy({ workspaceId, provider: name });
    if (existing) {
      await this.rows.update(
        { id: existing.id },
        { encryptedCredentials: sealed, updatedBy: accountId, updatedAt: now },
      );
    } else {
      await this.rows.insert({
        id: randomUUID(),
        workspaceId,
        provider: name,
        encryptedCredentials: sealed,
        updatedBy: accountId,
        createdAt: now,
        updatedAt: now,
      });
    }
  }

  /** Whether something was deleted. */
  async remove(workspaceId: string, name: string): Promise<boolean> {
    this.provider(name);
    const result = await this.rows.delete({ workspaceId, provider: name });
    return (result.affected ?? 0) > 0;
  }

  async masked(workspaceId: string, name: string): Promise<Record<string, unknown> | undefined> {
    const configured = await this.configured(workspaceId, name);
    return configured && maskCredentials(configured.credentials, configured.provider.secretFields);
  }

  /** The provider with its credentials, or undefined when the workspace has not configured it. */
  async configured(workspaceId: string, name: string): Promise<ConfiguredProvider | undefined> {
    const provider = this.registry.get(name);
    if (!provider) return undefined;
    const row = await this.rows.findOneBy({ workspaceId, provider: name });
    if (!row) return undefined;
    return { provider, credentials: this.cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials) };
  }

  /** The models a configured provider offers; 400 when it is not configured, upstream reason on failure. */
  async models(workspaceId: string, name: string): Promise<ProviderModel[]> {
    this.provider(name);
    const configured = await this.configured(workspaceId, name);
    if (!configured) {
      throw new ApiException(
        400,
        'provider_not_initialize',
        `Model provider "${name}" is not configured in this workspace.`,
      );
    }
    try {
      return await configured.provider.listModels(configured.credentials);
    } catch (error) {
      const upstream = UpstreamError.from(error);
      throw new ApiException(400, upstream.difyCode, upstream.message);
    }
  }
}
