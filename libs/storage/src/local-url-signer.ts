import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageError, StorageErrorCode } from './storage.errors';

/** Where Keel serves signed local downloads. */
export const LOCAL_DOWNLOAD_PATH = '/storage/download';

export interface SignedLocalRequest {
  key: string;
  expires: number;
  name?: string;
}

/**
 * HMAC-signed, expiring links for the local driver: what a presigned URL is for S3, without a
 * server of its own. The signature covers the key, the expiry and the download name.
 */
export class LocalUrlSigner {
  constructor(private readonly signingKey: Buffer) {}

  sign(baseUrl: string, request: SignedLocalRequest): string {
    const url = new URL(LOCAL_DOWNLOAD_PATH, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.searchParams.set('key', request.key);
    url.searchParams.set('expires', String(request.expires));
    if (request.name) url.searchParams.set('name', request.name);
    url.searchParams.set('signature', this.signature(request));
    return url.toString();
  }

  /** Throws StorageError(InvalidSignature | Expired); returns the verified request. */
  verify(query: Record<string, unknown>, now = Date.now()): SignedLocalRequest {
    const { key, expires, name, signature } = query;
    if (typeof key !== 'string' || typeof expires !== 'string' || typeof signature !== 'string') {
      throw new StorageError(StorageErrorCode.InvalidSignature, 'The download link is incomplete.');
    }
    if (name !== undefined && typeof name !== 'string') {
      throw new StorageError(StorageErrorCode.InvalidSignature, 'The download link is malformed.');
    }
    const request: SignedLocalRequest = { key, expires: Number(expires), name };
    const expected = Buffer.from(this.signature(request));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new StorageError(StorageErrorCode.InvalidSignature, 'The download link signature is invalid.');
    }
    if (!Number.isFinite(request.expires) || request.expires * 1000 < now) {
      throw new StorageError(StorageErrorCode.Expired, 'The download link has expired.');
    }
    return request;
  }

  private signature({ key, expires, name }: SignedLocalRequest): string {
    return createHmac('sha256', this.signingKey)
      .update(`${key}\n${expires}\n${name ?? ''}`)
      .digest('base64url');
  }
}
