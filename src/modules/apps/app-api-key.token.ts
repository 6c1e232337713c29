import { randomAlphanumeric, sha256Hex } from '../../common/crypto/opaque-token';

export const APP_KEY_PREFIX = 'app-';
const KEY_LENGTH = 24;

/** `app-` + 24 characters of [A-Za-z0-9] from the CSPRNG (Dify's format). */
export function generateAppKey(): string {
  return APP_KEY_PREFIX + randomAlphanumeric(KEY_LENGTH);
}

/** Keys are stored as their SHA-256: 143 bits of entropy need no slow hash, and lookups stay one index probe. */
export function hashAppKey(key: string): string {
  return sha256Hex(key);
}

export function appKeyTail(key: string): string {
  return key.slice(-4);
}

/** How a stored key is shown after creation: `app-****abcd`. */
export function maskedAppKey(tail: string): string {
  return `${APP_KEY_PREFIX}****${tail}`;
}
