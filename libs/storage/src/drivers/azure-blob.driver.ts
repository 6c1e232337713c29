import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  type ContainerListBlobFlatSegmentResponse,
  RestError,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { StorageError, StorageErrorCode } from '../storage.errors';
import type { AzureBlobStorageOptions } from '../storage.options';
import type { ListPage, ObjectInfo, PutBody, PutOptions, SignedUrlOptions } from '../storage.types';
import { notFound } from '../storage.errors';
import { contentDisposition } from '../content-disposition';
import type { StorageDriver } from './storage-driver';

export class AzureBlobStorageDriver implements StorageDriver {
  readonly name = 'azure-blob' as const;
  private readonly container: ContainerClient;
  private containerReady?: Promise<unknown>;

  constructor(private readonly options: AzureBlobStorageOptions) {
    this.container = serviceClient(options).getContainerClient(options.container);
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<void> {
    await this.ensureContainer();
    const blob = this.container.getBlockBlobClient(key);
    const common = { blobHTTPHeaders: { blobContentType: options.contentType }, metadata: options.metadata };
    if (Buffer.isBuffer(body)) await blob.uploadData(body, common);
    // Staged in 4 MB blocks, two in flight: memory stays bounded whatever the size.
    else await blob.uploadStream(body, 4 * 1024 * 1024, 2, common);
  }

  async get(key: string): Promise<{ stream: Readable; info: ObjectInfo }> {
    try {
      const out = await this.container.getBlobClient(key).download();
      return { stream: out.readableStreamBody as Readable, info: infoFrom(key, out) };
    } catch (error) {
      if (isNotFound(error)) throw notFound(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      return infoFrom(key, await this.container.getBlobClient(key).getProperties());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.container.getBlobClient(key).deleteIfExists();
  }

  async list(prefix: string, options: { limit: number; cursor?: string }): Promise<ListPage> {
    await this.ensureContainer();
    const pages = this.container
      .listBlobsFlat({ prefix: prefix || undefined })
      .byPage({ maxPageSize: options.limit, continuationToken: options.cursor });
    const next = await pages.next();
    const page: ContainerListBlobFlatSegmentResponse | undefined = next.done ? undefined : next.value;
    return {
      items: (page?.segment.blobItems ?? []).map((b) => ({
        key: b.name,
        size: b.properties.contentLength ?? 0,
        lastModified: b.properties.lastModified,
      })),
      nextCursor: page?.continuationToken || undefined,
    };
  }

  /** Needs the account key (a SAS-only configuration cannot mint new signatures). */
  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    const blob = this.container.getBlobClient(key);
    if (!blob.credential || !(blob.credential instanceof StorageSharedKeyCredential)) {
      throw new StorageError(
        StorageErrorCode.Unsupported,
        'Signed URLs with azure-blob need the account key (AZURE_BLOB_ACCOUNT_KEY or a connection string with AccountKey).',
      );
    }
    return blob.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      startsOn: new Date(Date.now() - 60_000),
      expiresOn: new Date(Date.now() + options.expiresInSeconds * 1000),
      contentDisposition: options.downloadName ? contentDisposition(options.downloadName) : undefined,
    });
  }

  describe(): string {
    return `azure-blob ${this.container.url}`;
  }

  private ensureContainer(): Promise<unknown> {
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    return this.containerReady;
  }
}

function serviceClient(options: AzureBlobStorageOptions): BlobServiceClient {
  if (options.connectionString) return BlobServiceClient.fromConnectionString(options.connectionString);
  const endpoint = options.endpoint ?? `https://${options.accountName}.blob.core.windows.net`;
  if (options.accountName && options.accountKey) {
    return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(options.accountName, options.accountKey));
  }
  if (options.sasToken) return new BlobServiceClient(`${endpoint}?${options.sasToken.replace(/^\?/, '')}`);
  throw new Error('azure-blob storage needs a connection string, an account key or a SAS token');
}

/** The fields download and getProperties answers share. */
function infoFrom(
  key: string,
  p: {
    contentLength?: number;
    contentType?: string;
    lastModified?: Date;
    etag?: string;
    metadata?: Record<string, string>;
  },
): ObjectInfo {
  return {
    key,
    size: p.contentLength ?? 0,
    contentType: p.contentType,
    lastModified: p.lastModified ?? new Date(0),
    etag: p.etag,
    metadata: p.metadata ?? {},
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404;
}
