import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Bucket, Storage } from '@google-cloud/storage';
import type { GcsStorageOptions } from '../storage.options';
import type { ListPage, ObjectInfo, PutBody, PutOptions, SignedUrlOptions } from '../storage.types';
import { notFound } from '../storage.errors';
import { contentDisposition } from '../content-disposition';
import type { StorageDriver } from './storage-driver';

interface GcsObjectMetadata {
  name?: string;
  size?: string | number;
  contentType?: string;
  updated?: string;
  etag?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

/** Google Cloud Storage through its JSON API (a custom `apiEndpoint` reaches compatible servers). */
export class GcsStorageDriver implements StorageDriver {
  readonly name = 'gcs' as const;
  private readonly bucket: Bucket;

  constructor(private readonly options: GcsStorageOptions) {
    const storage = new Storage({
      projectId: options.projectId,
      credentials: options.credentials,
      keyFilename: options.keyFilename,
      apiEndpoint: options.apiEndpoint,
    });
    this.bucket = storage.bucket(options.bucket);
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<void> {
    const file = this.bucket.file(key);
    const settings = {
      // One streamed multipart request: nothing is buffered, and no resumable-session state is
      // kept on local disk.
      resumable: false,
      contentType: options.contentType,
      metadata: { contentType: options.contentType, metadata: options.metadata ?? {} },
    };
    if (Buffer.isBuffer(body)) await file.save(body, settings);
    else await pipeline(body, file.createWriteStream(settings));
  }

  async get(key: string): Promise<{ stream: Readable; info: ObjectInfo }> {
    const info = await this.head(key);
    if (!info) throw notFound(key);
    return { stream: this.bucket.file(key).createReadStream(), info };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const [metadata] = (await this.bucket.file(key).getMetadata()) as [GcsObjectMetadata, unknown];
      return toInfo(key, metadata);
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.bucket.file(key).delete({ ignoreNotFound: true });
  }

  async list(prefix: string, options: { limit: number; cursor?: string }): Promise<ListPage> {
    const [files, nextQuery] = await this.bucket.getFiles({
      prefix: prefix || undefined,
      maxResults: options.limit,
      pageToken: options.cursor,
      autoPaginate: false,
    });
    return {
      items: files.map((f) => {
        const info = toInfo(f.name, f.metadata as GcsObjectMetadata);
        return { key: info.key, size: info.size, lastModified: info.lastModified };
      }),
      nextCursor: (nextQuery as { pageToken?: string } | null)?.pageToken,
    };
  }

  /** V4 signature made locally with the service account's private key. */
  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    const [url] = await this.bucket.file(key).getSignedUrl({
      version: 'v4',
      action: 'read',
      expires: Date.now() + options.expiresInSeconds * 1000,
      responseDisposition: options.downloadName ? contentDisposition(options.downloadName) : undefined,
    });
    return url;
  }

  describe(): string {
    return `gcs ${this.options.apiEndpoint ?? 'google'}/${this.options.bucket}`;
  }
}

function toInfo(key: string, m: GcsObjectMetadata): ObjectInfo {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.metadata ?? {})) if (v !== null && v !== undefined) metadata[k] = String(v);
  return {
    key,
    size: Number(m.size ?? 0),
    contentType: m.contentType,
    lastModified: m.updated ? new Date(m.updated) : new Date(0),
    etag: m.etag,
    metadata,
  };
}
