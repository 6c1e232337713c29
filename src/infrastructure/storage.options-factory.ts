import type { StorageModuleOptions } from '@keel/storage';
import { SecretKeys } from '../common/crypto/secret-keys';
import type { AppConfig } from '../config/app-config';

/** The local driver signs its download links with a key derived for that purpose alone. */
export function storageOptionsFrom(config: AppConfig, keys: SecretKeys): StorageModuleOptions {
  const storage = config.storage;
  if (storage.driver === 'local') return { ...storage, signingKey: keys.get('url-signing') };
  return storage;
}
