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
// Every model call needs the workspace's credentials: they are read and decrypted once per
// CACHE_TTL_MS, not per request. A change made here applies at once; on other replicas within
// the TTL.
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

@Injectable()
export class ProviderCredentialsService {
  private readonly cache = new Map<string, { value: Record<string, unknown> | undefined; expiresAt: number }>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly cipher: CredentialCipher,
    @InjectRepository(ProviderCredential) private readonly rows: Repository<ProviderCredential>,
  ) {}

  /** The provider as the workspace sees it, or 404 naming it. */
  async provider(workspaceId: string, name: string): Promise<ModelProvider> {
    const provider = await this.registry.forWorkspace(workspaceId, name);
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
    const provider = await this.provider(workspaceId, name);
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
    this.cache.delete(`${workspaceId}\n${name}`);
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
    await this.provider(workspaceId, name);
    this.cache.delete(`${workspaceId}\n${name}`);
    const result = await this.rows.delete({ workspaceId, provider: name });
    return (result.affected ?? 0) > 0;
  }

  async masked(workspaceId: string, name: string): Promise<Record<string, unknown> | undefined> {
    const configured = await this.configured(workspaceId, name);
    return configured && maskCredentials(configured.credentials, configured.provider.secretFields);
  }

  /** The provider with its credentials, or undefined when the workspace has not configured it. */
  async configured(workspaceId: string, name: string): Promise<ConfiguredProvider | undefined> {
    const provider = name.includes('/') ? await this.registry.forWorkspace(workspaceId, name) : this.registry.get(name);
    if (!provider) return undefined;
    const key = `${workspaceId}\n${name}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value && { provider, credentials: cached.value };
    const row = await this.rows.findOneBy({ workspaceId, provider: name });
    const credentials = row ? this.cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials) : undefined;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, { value: credentials, expiresAt: Date.now() + CACHE_TTL_MS });
    return credentials && { provider, credentials };
  }

  /** The models a configured provider offers; 400 when it is not configured, upstream reason on failure. */
  async models(workspaceId: string, name: string): Promise<ProviderModel[]> {
    await this.provider(workspaceId, name);
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
