import { SecretKeys } from '../common/crypto/secret-keys';
import { AppConfig } from '../config/app-config';
import { CredentialCipher } from '../modules/providers/credential.cipher';

/** The server's credential cipher under the given SECRET_KEY, for commands that run without the Nest container. */
export function cipherFor(config: AppConfig, secretKey: string): CredentialCipher {
  return new CredentialCipher(
    new SecretKeys(new AppConfig({ ...config, security: { ...config.security, secretKey } })),
  );
}
