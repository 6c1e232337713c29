import type { StorageModuleOptions } from '../storage.options';
import { AzureBlobStorageDriver } from './azure-blob.driver';
import { GcsStorageDriver } from './gcs.driver';
import { LocalStorageDriver } from './local.driver';
import { S3StorageDriver } from './s3.driver';
import type { StorageDriver } from './storage-driver';

export function createStorageDriver(options: StorageModuleOptions): StorageDriver {
  switch (options.driver) {
    case 'local':
      return new LocalStorageDriver(options);
    case 's3':
      return new S3StorageDriver(options);
    case 'azure-blob':
      return new AzureBlobStorageDriver(options);
    case 'gcs':
      return new GcsStorageDriver(options);
    default: {
      const unknown: never = options;
      throw new Error(`Unknown storage driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
