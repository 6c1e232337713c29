import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { errorMessage } from '../../common/errors/error-message';
import { maskCredentials } from '../providers/credential.masker';
import { CredentialCipher } from '../providers/credential.cipher';
import { PluginToolCredential } from './plugin-tool-credential.entity';
import type { PluginToolProviderDefinition } from './plugin-tool-definitions';

const secretsOf = (definition: PluginToolProviderDefinition) =>
  definition.credentialFields.filter((f) => f.type === 'secret-input').map((f) => f.name);

/**
 * Workspaces' credentials for plugin tool providers, handled like API tools' and model
 * providers': sealed at rest, masked when shown, a masked value sent back keeps the saved secret,
 * checked by the plugin itself (`validate_credentials`) before they are saved.
 */
@Injectable()
export class PluginToolCredentialsService {
  constructor(
    private readonly cipher: CredentialCipher,
    @InjectRepository(PluginToolCredential) private readonly rows: Repository<PluginToolCredential>,
  ) {}

  /** The saved credentials, decrypted; `{}` when none are saved. */
  async get(workspaceId: string, provider: string): Promise<Record<string, unknown>> {
    const row = await this.rows.findOneBy({ workspaceId, provider });
    return row ? this.cipher.decrypt<Record<string, unknown>>(row.encryptedCredentials) : {};
  }

  async masked(workspaceId: string, provider: string, definition: PluginToolProviderDefinition) {
    return maskCredentials(await this.get(workspaceId, provider), secretsOf(definition));
  }

  /**
   * Checks the form (required fields, known fields), keeps saved secrets where the masked value
   * came back, lets `validate` (the plugin) refuse them, then saves.
   */
  async save(
    workspaceId: string,
    provider: string,
    definition: PluginToolProviderDefinition,
    sent: Record<string, unknown>,
    accountId: string,
    validate: (credentials: Record<string, unknown>) => Promise<void>,
  ): Promise<void> {
    const known = new Set(definition.credentialFields.map((f) => f.name));
    const unknown = Object.keys(sent).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ApiException(400, 'invalid_param', `credentials: ${unknown.join(', ')} is not a field of ${provider}.`);
    }
    const saved = await this.get(workspaceId, provider);
    const masked = maskCredentials(saved, secretsOf(definition));
    const credentials: Record<string, unknown> = { ...sent };
    for (const name of secretsOf(definition)) {
      if (credentials[name] !== undefined && credentials[name] === masked[name]) credentials[name] = saved[name];
    }
    const missing = definition.credentialFields.filter(
      (f) => f.required && (credentials[f.name] === undefined || credentials[f.name] === ''),
    );
    if (missing.length > 0) {
      throw new ApiException(
        400,
        'invalid_param',
        `credentials: ${missing.map((f) => f.name).join(', ')} is required.`,
      );
    }
    try {
      await validate(credentials);
    } catch (error) {
      throw new ApiException(400, 'invalid_param', `The credentials were refused: ${errorMessage(error)}`);
    }
    await this.rows.upsert(
      {
        workspaceId,
        provider,
        encryptedCredentials: this.cipher.encrypt(credentials),
        updatedBy: accountId,
        updatedAt: new Date(),
      },
      ['workspaceId', 'provider'],
    );
  }

  async remove(workspaceId: string, provider: string): Promise<boolean> {
    return ((await this.rows.delete({ workspaceId, provider })).affected ?? 0) > 0;
  }
}
