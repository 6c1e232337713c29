import { randomAlphanumeric, sha256Hex } from '../../common/crypto/opaque-token';

/**
 * OpenAI's `sk-` shape, which OpenAI clients and UIs expect of a key, plus `keel-` so that a
 * leaked key is recognisable (secret scanners, log review) and cannot be mistaken for an
 * OpenAI key or one of Keel's `app-` keys.
 */
export const WORKSPACE_KEY_PREFIX = 'sk-keel-';
/** 40 characters of [A-Za-z0-9]: about 238 bits of entropy. */
const KEY_LENGTH = 40;

/** `sk-keel-` + 40 characters of [A-Za-z0-9] from the CSPRNG. */
export function generateWorkspaceKey(): string {
  return WORKSPACE_KEY_PREFIX + randomAlphanumeric(KEY_LENGTH);
}

/** Stored and looked up by its SHA-256 (hex), as app keys are. */
export function hashWorkspaceKey(key: string): string {
  return sha256Hex(key);
}

export function workspaceKeyTail(key: string): string {
  return key.slice(-4);
}

/** How a stored key is shown after creation: `sk-keel-****abcd`. */
export function maskedWorkspaceKey(tail: string): string {
  return `${WORKSPACE_KEY_PREFIX}****${tail}`;
}
