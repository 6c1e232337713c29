import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretKeys } from '../../common/crypto/secret-keys';

const VERSION = 'v1';

/**
 * AES-256-GCM for credentials at rest, with a key derived from SECRET_KEY for this purpose only.
 * Format `v1:<iv>:<tag>:<ciphertext>` (base64url): the version lets a key rotation tell old from new.
 */
@Injectable()
export class CredentialCipher {
  constructor(private readonly keys: SecretKeys) {}

  encrypt(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get('credentials-encryption'), iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  /** Throws when the value was not encrypted with this key (tampered, or SECRET_KEY changed). */
  decrypt<T>(sealed: string): T {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed credential');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.keys.get('credentials-encryption'),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }
}
