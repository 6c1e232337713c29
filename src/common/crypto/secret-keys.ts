import { hkdfSync } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * What a derived key is for. Each purpose gets an independent key, so a key leaked from one
 * use (say, a signed download URL) says nothing about another (the credential cipher).
 */
export type KeyPurpose =
  | 'credentials-encryption'
  | 'access-token-signing'
  | 'url-signing'
  | 'oauth-state'
  | 'console-csrf'
  | 'init-validation';

const SALT = 'keel/v1';

/** Derives a purpose-bound key from SECRET_KEY with HKDF-SHA256. */
export function deriveKey(secretKey: string, purpose: KeyPurpose, lengthBytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, SALT, purpose, lengthBytes));
}

/** The injectable form: features ask for a key by purpose and never see SECRET_KEY itself. */
@Injectable()
export class SecretKeys {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly config: AppConfig) {}

  get(purpose: KeyPurpose, lengthBytes = 32): Buffer {
    const id = `${purpose}:${lengthBytes}`;
    let key = this.cache.get(id);
    if (!key) {
      key = deriveKey(this.config.security.secretKey, purpose, lengthBytes);
      this.cache.set(id, key);
    }
    return key;
  }
}
