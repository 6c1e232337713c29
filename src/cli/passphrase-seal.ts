import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt at the cost OWASP recommends for interactive use (N=2^17, r=8, p=1): ~128 MB, well under a second. */
const COST = { N: 131_072, r: 8, p: 1 } as const;
const MAX_MEM = 256 * 1024 * 1024;

export const sealedSchema = z.object({
  cipher: z.literal('aes-256-gcm'),
  kdf: z.literal('scrypt'),
  n: z.number().int().min(16_384).max(1_048_576),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().min(16),
  iv: z.string().min(16),
  tag: z.string().min(16),
  ciphertext: z.string(),
});

export type Sealed = z.infer<typeof sealedSchema>;

export class WrongPassphraseError extends Error {
  constructor() {
    super('the passphrase does not open the secrets in this file');
  }
}

function deriveKey(passphrase: string, salt: Buffer, cost: ScryptOptions & { N: number }): Promise<Buffer> {
  return new Promise((done, fail) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...cost, maxmem: MAX_MEM }, (error, key) =>
      error ? fail(error) : done(key),
    ),
  );
}

/**
 * A value sealed under a passphrase, for files that leave the server (a workspace export): the
 * server's own SECRET_KEY cannot be used there, since the file is opened on another server.
 */
export async function sealWithPassphrase(value: unknown, passphrase: string): Promise<Sealed> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, COST);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    cipher: 'aes-256-gcm',
    kdf: 'scrypt',
    n: COST.N,
    r: COST.r,
    p: COST.p,
    salt: salt.toString('base64url'),
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
  };
}

/** The sealed value; `WrongPassphraseError` when the passphrase (or the file) is not the one it was sealed with. */
export async function openWithPassphrase(sealed: Sealed, passphrase: string): Promise<unknown> {
  const key = await deriveKey(passphrase, Buffer.from(sealed.salt, 'base64url'), {
    N: sealed.n,
    r: sealed.r,
    p: sealed.p,
  });
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw new WrongPassphraseError();
  }
  return JSON.parse(plain.toString('utf8')) as unknown;
}
