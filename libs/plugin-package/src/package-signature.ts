import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { PackageLimits } from './package-limits';
import { readPackage } from './package-reader';
import type { PackageFile, PluginPackage, SignatureAlgorithm, VerificationResult } from './plugin-package.types';
import { formatSignatureComment, isSignatureTime, parseSignatureComment } from './signature-comment';
import { keyFingerprint, loadPrivateKey, signatureAlgorithmOf, signData, verifyData } from './signing-keys';
import type { TrustedKey } from './trusted-keys.loader';
import { replaceZipComment } from './zip-comment';

/**
 * The bytes that are signed: Dify's scheme (each file's SHA-256 in walk order — the zip's
 * central-directory order, directory entries skipped — then the signing time as ASCII decimal unix
 * seconds) with each file's name bound to its contents. Dify signs contents only, so renaming the
 * entries of a signed package (another file becomes the entrypoint) would still verify; Keel
 * cannot load Dify's packages anyway, so it signs names too:
 *
 *   signed = SHA-256(path 1) || SHA-256(file 1) || SHA-256(path 2) || … || ASCII(time)
 *
 * Paths are UTF-8. RSA keys sign it with PKCS#1 v1.5 over SHA-256; Ed25519 keys sign it as is.
 */
export function signedData(files: readonly Pick<PackageFile, 'path' | 'sha256'>[], time: number): Buffer {
  return Buffer.concat([
    ...files.flatMap((file) => [
      createHash('sha256').update(file.path, 'utf8').digest(),
      Buffer.from(file.sha256, 'hex'),
    ]),
    Buffer.from(String(time), 'ascii'),
  ]);
}

export interface SignOptions {
  /** The signing time (default: now), unix seconds or a Date. */
  time?: number | Date;
  /** For an encrypted PEM private key. */
  passphrase?: string;
  /** The package is read (and so checked) before it is signed. */
  limits?: Partial<PackageLimits>;
}

/**
 * Signs a package: reads and checks it, signs its files' hashes and the time with the private key
 * (RSA ≥ 2048 bits or Ed25519, chosen by the key), and writes `{signature, time, public_key}` into
 * the zip comment, replacing any previous signature. The entries are untouched, so the checksum
 * and unique identifier do not change.
 */
export async function signPackage(zip: Buffer, privateKeyPem: string, options: SignOptions = {}): Promise<Buffer> {
  const { key, algorithm } = loadPrivateKey(privateKeyPem, options.passphrase);
  const time =
    options.time instanceof Date
      ? Math.floor(options.time.getTime() / 1000)
      : (options.time ?? Math.floor(Date.now() / 1000));
  if (!isSignatureTime(time)) throw new RangeError('The signing time must be a unix time in whole seconds.');
  const pkg = await readPackage(zip, options.limits);
  const signature = signData(key, algorithm, signedData(pkg.files, time));
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return replaceZipComment(zip, formatSignatureComment({ signature, time, publicKey }));
}

function embeddedKey(der: Buffer): { key: KeyObject; algorithm: SignatureAlgorithm } | string {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return 'the public_key in the signature is not a readable key';
  }
  try {
    return { key, algorithm: signatureAlgorithmOf(key, 'the public_key in the signature') };
  } catch (error) {
    return (error as Error).message;
  }
}

/** What the package's signature says, against the operator's trusted keys. Never throws. */
export function verifySignature(pkg: PluginPackage, trustedKeys: readonly TrustedKey[]): VerificationResult {
  const parsed = parseSignatureComment(pkg.comment);
  if (parsed.kind === 'unsigned') return { status: 'unsigned', reason: 'the package carries no signature' };
  if (parsed.kind === 'malformed') return { status: 'invalid', reason: parsed.reason };
  const { signature, time, publicKey } = parsed.comment;
  const signed_at = new Date(time * 1000).toISOString();
  const data = signedData(pkg.files, time);

  if (publicKey) {
    const signer = embeddedKey(publicKey);
    if (typeof signer === 'string') return { status: 'invalid', signed_at, reason: signer };
    const key_fingerprint = keyFingerprint(signer.key);
    const known = { key_fingerprint, algorithm: signer.algorithm, signed_at };
    if (!verifyData(signer.key, signer.algorithm, data, signature)) {
      return { status: 'invalid', ...known, reason: "the signature does not match the package's files" };
    }
    return trustedKeys.some((trusted) => trusted.fingerprint === key_fingerprint)
      ? { status: 'verified', ...known }
      : { status: 'untrusted', ...known, reason: 'the package is signed by a key that is not trusted' };
  }

  // A Dify-style signature that does not name its key: try every trusted key.
  const trusted = trustedKeys.find((candidate) => verifyData(candidate.key, candidate.algorithm, data, signature));
  if (trusted)
    return { status: 'verified', key_fingerprint: trusted.fingerprint, algorithm: trusted.algorithm, signed_at };
  return {
    status: 'untrusted',
    signed_at,
    reason:
      'no trusted key verifies the signature (the signature does not name its key, so an unknown signer cannot be told from a modified package)',
  };
}

/** Reads (and so checks) a package, then verifies its signature. */
export async function verifyPackage(
  source: Buffer | string,
  trustedKeys: readonly TrustedKey[],
  limits?: Partial<PackageLimits>,
): Promise<VerificationResult> {
  return verifySignature(await readPackage(source, limits), trustedKeys);
}
