import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FILE_NAME = 'secret-key';

/** A new SECRET_KEY: 48 random bytes, base64url (64 characters). */
export function generateSecretKey(): string {
  return randomBytes(48).toString('base64url');
}

/**
 * Outside production Keel must boot with no environment at all, yet keep encrypted data readable
 * across restarts: the first boot generates a key and every later boot reads the same file.
 */
export function readOrCreateSecretKey(dataDir: string): string {
  const file = join(dataDir, FILE_NAME);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
    throw new Error(`${file} holds a key shorter than 32 characters; remove it or set SECRET_KEY`);
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = generateSecretKey();
  // 'wx' refuses to overwrite a key another process wrote first; re-read in that case.
  try {
    writeFileSync(file, `${key}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateSecretKey(dataDir);
    throw error;
  }
  chmodSync(file, 0o600);
  return key;
}

/**
 * A new key written beside the current one, put in its place only by `commit()`: `keel
 * rotate-secret-key` stages it before re-encrypting, so the key the data needs is on disk whichever
 * way the database transaction ends.
 */
export function stageSecretKey(dataDir: string, key: string): { commit(): void; discard(): void } {
  const file = join(dataDir, FILE_NAME);
  const staged = `${file}.next`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(staged, `${key}\n`, { mode: 0o600 });
  chmodSync(staged, 0o600);
  return {
    commit: () => renameSync(staged, file),
    discard: () => rmSync(staged, { force: true }),
  };
}
