/*
 * The signature lives in the zip comment, as JSON: Dify's `{"signature": base64, "time": unix
 * seconds}`, plus Keel's optional `public_key` (base64 SPKI DER of the signing key). The key lets a
 * verifier tell "signed by someone not trusted" from "tampered": the signature is checked against
 * that key, then the key's fingerprint against the trusted set. Trust never comes from the
 * comment itself.
 */

export interface SignatureComment {
  signature: Buffer;
  /** Unix seconds, the `time` that was signed. */
  time: number;
  /** SPKI DER of the signing key, when the signer named it. */
  publicKey?: Buffer;
}

export type ParsedComment =
  | { kind: 'unsigned' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'signed'; comment: SignatureComment };

/** Latest time accepted (9999-12-31T23:59:59Z), so that every signed time is a date. */
const MAX_TIME = 253_402_300_799;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function formatSignatureComment(comment: SignatureComment): string {
  return JSON.stringify({
    signature: comment.signature.toString('base64'),
    time: comment.time,
    ...(comment.publicKey ? { public_key: comment.publicKey.toString('base64') } : {}),
  });
}

export function isSignatureTime(time: unknown): time is number {
  return typeof time === 'number' && Number.isSafeInteger(time) && time >= 0 && time <= MAX_TIME;
}

export function parseSignatureComment(text: string): ParsedComment {
  if (text.trim() === '') return { kind: 'unsigned' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'the zip comment is not signature JSON' };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { kind: 'malformed', reason: 'the zip comment is not a signature object' };
  }
  const { signature, time, public_key: publicKey } = data as Record<string, unknown>;
  if (typeof signature !== 'string' || !BASE64.test(signature)) {
    return { kind: 'malformed', reason: 'the signature is not base64' };
  }
  if (!isSignatureTime(time)) return { kind: 'malformed', reason: 'the signature time is not a unix time in seconds' };
  if (publicKey !== undefined && (typeof publicKey !== 'string' || !BASE64.test(publicKey))) {
    return { kind: 'malformed', reason: 'the public_key is not base64' };
  }
  return {
    kind: 'signed',
    comment: {
      signature: Buffer.from(signature, 'base64'),
      time,
      publicKey: publicKey === undefined ? undefined : Buffer.from(publicKey, 'base64'),
    },
  };
}
