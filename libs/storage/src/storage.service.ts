import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { STORAGE_DRIVER } from './storage.module-definition';
import { assertValidKey, assertValidPrefix } from './storage-key';
import { StorageError, StorageErrorCode } from './storage.errors';
import type { ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, SignedUrlOptions } from './storage.types';
import type { StorageDriver } from './drivers/storage-driver';

const METADATA_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** The façade features inject: validated keys, one behaviour across backends. */
@Injectable()
export class StorageService implements OnApplicationShutdown {
  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  get driverName(): StorageDriver['name'] {
    return this.driver.name;
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    for (const name of Object.keys(options.metadata ?? {})) {
      // The strictest backend (Azure: C# identifiers) sets the rule for all.
      if (!METADATA_KEY.test(name)) {
        throw new StorageError(
          StorageErrorCode.InvalidKey,
          `Invalid metadata name ${JSON.stringify(name)}: use a-z, 0-9 and _`,
        );
      }
    }
    await this.driver.put(key, body, options);
  }

  // Methods are async so that an invalid key is a rejected promise, like every other failure.
  async get(key: string): Promise<{ stream: Readable; info: ObjectInfo }> {
    return this.driver.get(assertValidKey(key));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return this.driver.head(assertValidKey(key));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    return this.driver.delete(assertValidKey(key));
  }

  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 1000);
    return this.driver.list(assertValidPrefix(prefix), { limit, cursor: options.cursor });
  }

  /** A link that downloads the object without credentials until it expires. */
  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    if (
      !Number.isInteger(options.expiresInSeconds) ||
      options.expiresInSeconds < 1 ||
      options.expiresInSeconds > 7 * 86_400
    ) {
      throw new RangeError('expiresInSeconds must be an integer between 1 and 604800');
    }
    return this.driver.signedUrl(assertValidKey(key), options);
  }

  describe(): string {
    return this.driver.describe();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver.close?.();
  }
}
