import { StorageError, StorageErrorCode } from './storage.errors';

/** Reserved for the local driver's bookkeeping; never a caller's key. */
export const RESERVED_PREFIX = '.keel';

const MAX_KEY_BYTES = 1024;

/**
 * Keys are relative, slash-separated paths. Anything that could escape the storage root on a
 * file system, or mean different objects on different backends, is refused before any I/O.
 */
export function assertValidKey(key: string): string {
  const fail = (why: string) => {
    throw new StorageError(StorageErrorCode.InvalidKey, `Invalid storage key ${JSON.stringify(key)}: ${why}`);
  };
  if (typeof key !== 'string' || key.length === 0) fail('it is empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) fail(`it is longer than ${MAX_KEY_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) fail('it contains a NUL or control character');
  if (key.includes('\\')) fail('it contains a backslash');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) fail('it is absolute');
  for (const segment of key.split('/')) {
    if (segment === '') fail('it has an empty path segment');
    if (segment === '.' || segment === '..') fail('it contains a "." or ".." segment');
  }
  if (key === RESERVED_PREFIX || key.startsWith(`${RESERVED_PREFIX}/`)) fail(`"${RESERVED_PREFIX}/" is reserved`);
  return key;
}

/** A prefix for listing: empty (everything), or key-like and optionally ending in "/". */
export function assertValidPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
