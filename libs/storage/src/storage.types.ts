import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType?: string;
  /** Small string pairs stored with the object (keys: lowercase letters, digits, underscore). */
  metadata?: Record<string, string>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  contentType?: string;
  lastModified: Date;
  etag?: string;
  metadata: Record<string, string>;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ListOptions {
  /** At most this many items per page (1–1000; default 1000). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ListPage {
  items: ListedObject[];
  /** Present when more items follow. */
  nextCursor?: string;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /** Sets Content-Disposition: attachment with this file name. */
  downloadName?: string;
}

export type PutBody = Buffer | Readable;
