import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { PluginEndpoint } from '../modules/plugins/plugin-endpoint.entity';
import { PluginToolCredential } from '../modules/plugins/plugin-tool-credential.entity';
import { ProviderCredential } from '../modules/providers/provider-credential.entity';
import { ApiToolProvider } from '../modules/tools/api-tool-provider.entity';

export interface SealedColumn {
  entity: EntityTarget<ObjectLiteral>;
  /** The entity property holding a `CredentialCipher` value. */
  property: string;
  /** What its rows are, for the command's report. */
  label: string;
}

/**
 * Every column that holds a value sealed by `CredentialCipher` (a spec checks that no
 * `encrypted_*` column of the schema is missing here, so a new one cannot be left out of a key
 * rotation).
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { entity: ProviderCredential, property: 'encryptedCredentials', label: 'model provider credentials' },
  { entity: ApiToolProvider, property: 'encryptedCredentials', label: 'API tool credentials' },
  { entity: PluginToolCredential, property: 'encryptedCredentials', label: 'plugin tool credentials' },
  { entity: PluginEndpoint, property: 'encryptedSettings', label: 'plugin endpoint settings' },
];
