import { createPublicKey, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { SignatureAlgorithm } from './plugin-package.types';
import { keyFingerprint, signatureAlgorithmOf } from './signing-keys';

/** A public key the operator trusts to sign plugins. */
export interface TrustedKey {
  key: KeyObject;
  algorithm: SignatureAlgorithm;
  /** SHA-256 (hex) of the SPKI DER. */
  fingerprint: string;
  /** Where it came from: the file, or `PEM #n` for text given directly. */
  source: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

const invalid = (source: string, message: string, cause?: unknown) =>
  new PluginPackageError(PluginPackageErrorCode.KeyInvalid, `${source}: ${message}`, { field: source }, { cause });

/**
 * Every public key in a PEM text (one or several blocks, e.g. from one environment variable; a
 * value whose line breaks were written as `\n` is understood too). A private key, a block of
 * another kind, an unreadable key, RSA under 2048 bits or a key type other than RSA and Ed25519
 * is an error naming `source`.
 */
export function parseTrustedKeys(pemText: string, source: string): TrustedKey[] {
  const text = !pemText.includes('\n') && pemText.includes('\\n') ? pemText.replace(/\\n/g, '\n') : pemText;
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw invalid(source, 'no PEM public key (-----BEGIN PUBLIC KEY-----) found');
  return blocks.map(([block, label]) => {
    if (label.includes('PRIVATE')) {
      throw invalid(
        source,
        'this is a private key; trust the public key instead (keep the private key with the signer)',
      );
    }
    if (!PUBLIC_LABELS.has(label)) throw invalid(source, `a "${label}" block is not a public key`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: block, format: 'pem' });
    } catch (error) {
      throw invalid(source, `not a readable public key (${(error as Error).message})`, error);
    }
    return { key, algorithm: signatureAlgorithmOf(key, source), fingerprint: keyFingerprint(key), source };
  });
}

export interface TrustedKeySources {
  /** A directory where every `*.pem` file holds trusted public keys (other files are ignored). */
  dir?: string;
  /** PEM texts given directly (e.g. from a variable), each with one or more public keys. */
  pems?: string | readonly string[];
}

/** The operator's trusted keys from a directory and/or PEM texts, each key once. */
export async function loadTrustedKeys(sources: TrustedKeySources): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  if (sources.dir !== undefined) {
    let names: string[];
    try {
      names = await readdir(sources.dir);
    } catch (error) {
      throw invalid(sources.dir, `the trusted key directory cannot be read (${(error as Error).message})`, error);
    }
    for (const name of names.filter((file) => file.toLowerCase().endsWith('.pem')).sort()) {
      const file = join(sources.dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw invalid(file, `cannot be read (${(error as Error).message})`, error);
      }
      keys.push(...parseTrustedKeys(text, file));
    }
  }
  const pems = typeof sources.pems === 'string' ? [sources.pems] : (sources.pems ?? []);
  pems.forEach((pem, index) => keys.push(...parseTrustedKeys(pem, `PEM #${index + 1}`)));
  const byFingerprint = new Map<string, TrustedKey>();
  for (const key of keys) if (!byFingerprint.has(key.fingerprint)) byFingerprint.set(key.fingerprint, key);
  return [...byFingerprint.values()];
}
