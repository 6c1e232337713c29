import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  constants,
  type KeyObject,
} from 'node:crypto';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { SignatureAlgorithm } from './plugin-package.types';

export const MIN_RSA_BITS = 2048;

const invalidKey = (message: string, field?: string, cause?: unknown) =>
  new PluginPackageError(PluginPackageErrorCode.KeyInvalid, message, { field }, { cause });

/** SHA-256 (hex) of the public key's SPKI DER: the same for a key in any encoding, and for its private half. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * The algorithm a key signs with, decided by the key alone (never by what a signature claims):
 * RSA of at least 2048 bits → RSA PKCS#1 v1.5 with SHA-256 (Dify's scheme), Ed25519 → Ed25519.
 */
export function signatureAlgorithmOf(key: KeyObject, source = 'the key'): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'ed25519';
    case 'rsa': {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS)
        throw invalidKey(`${source}: an RSA key of ${bits} bits is too short (at least ${MIN_RSA_BITS}).`, source);
      return 'rsa-sha256';
    }
    default:
      throw invalidKey(
        `${source}: ${key.asymmetricKeyType ?? 'this'} keys are not accepted; use Ed25519 or RSA.`,
        source,
      );
  }
}

export function signData(key: KeyObject, algorithm: SignatureAlgorithm, data: Buffer): Buffer {
  return algorithm === 'ed25519'
    ? sign(null, data, key)
    : sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
}

export function verifyData(key: KeyObject, algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer): boolean {
  try {
    return algorithm === 'ed25519'
      ? verify(null, data, key, signature)
      : verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** A PEM private key (PKCS#8 or PKCS#1, encrypted when a passphrase is given) that can sign packages. */
export function loadPrivateKey(pem: string, passphrase?: string): { key: KeyObject; algorithm: SignatureAlgorithm } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (error) {
    throw invalidKey(
      `The signing key is not a readable PEM private key: ${(error as Error).message}`,
      undefined,
      error,
    );
  }
  return { key, algorithm: signatureAlgorithmOf(key, 'The signing key') };
}

export interface GeneratedKeyPair {
  algorithm: SignatureAlgorithm;
  /** PKCS#8 PEM: keep it secret, never inside a plugin directory. */
  privateKeyPem: string;
  /** SPKI PEM: what the operator trusts. */
  publicKeyPem: string;
  fingerprint: string;
}

/** A new signing key pair; RSA keys are 3072 bits unless told otherwise (at least 2048). */
export function generateKeyPair(algorithm: SignatureAlgorithm = 'ed25519', rsaBits = 3072): GeneratedKeyPair {
  if (algorithm === 'rsa-sha256' && (!Number.isInteger(rsaBits) || rsaBits < MIN_RSA_BITS)) {
    throw new RangeError(`RSA keys have at least ${MIN_RSA_BITS} bits.`);
  }
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: rsaBits });
  return {
    algorithm,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}
