import type { Readable } from 'node:stream';
import type { ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, SignedUrlOptions } from '../storage.types';

/**
 * The contract every backend honours (the shared behavioural suite holds them to it). Keys reach
 * a driver already validated. Bodies stream both ways: no driver buffers a whole object.
 */
export interface StorageDriver {
  readonly name: 'local' | 's3' | 'azure-blob' | 'gcs';
  put(key: string, body: PutBody, options: PutOptions): Promise<void>;
  /** Throws StorageError(NotFound) when absent. */
  get(key: string): Promise<{ stream: Readable; info: ObjectInfo }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  list(prefix: string, options: Required<Pick<ListOptions, 'limit'>> & Pick<ListOptions, 'cursor'>): Promise<ListPage>;
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
  /** Where objects go, for logs and health; never a credential. */
  describe(): string;
  close?(): Promise<void>;
}
