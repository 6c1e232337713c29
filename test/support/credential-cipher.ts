import { SecretKeys } from '../../src/common/crypto/secret-keys';
import type { AppConfig } from '../../src/config/app-config';
import { CredentialCipher } from '../../src/modules/providers/credential.cipher';

/** The server's credential cipher under a given SECRET_KEY, to seal or open stored values in a test. */
export const cipherUnder = (secretKey: string): CredentialCipher =>
  new CredentialCipher(new SecretKeys({ security: { secretKey } } as unknown as AppConfig));
