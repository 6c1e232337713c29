import { createHash, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const APP_KEY_PREFIX = 'app-';
const KEY_LENGTH = 24;

/** `app-` + 24 characters of [A-Za-z0-9] from the CSPRNG (Dify's format). */
export function generateAppKey(): string {
  let key = APP_KEY_PREFIX;
  for (let i = 0; i < KEY_LENGTH; i++) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}

/** Keys are stored as their SHA-256: 143 bits of entropy need no slow hash, and lookups stay one index probe. */
export function hashAppKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function appKeyTail(key: string): string {
  return key.slice(-4);
}

/** How a stored key is shown after creation: `app-****abcd`. */
export function maskedAppKey(tail: string): string {
  return `${APP_KEY_PREFIX}****${tail}`;
}
