import type { StorageModuleOptions } from '../storage.options';
import type { StorageDriver } from './storage-driver';

/* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading, see below */

/**
 * Each backend's SDK is loaded only when that backend is chosen: the AWS, Azure and Google SDKs
 * together add about a quarter of a second to every boot, and a deployment uses one of them.
 */
export function createStorageDriver(options: StorageModuleOptions): StorageDriver {
  switch (options.driver) {
    case 'local': {
      const { LocalStorageDriver } = require('./local.driver') as typeof import('./local.driver');
      return new LocalStorageDriver(options);
    }
    case 's3': {
      const { S3StorageDriver } = require('./s3.driver') as typeof import('./s3.driver');
      return new S3StorageDriver(options);
    }
    case 'azure-blob': {
      const { AzureBlobStorageDriver } = require('./azure-blob.driver') as typeof import('./azure-blob.driver');
      return new AzureBlobStorageDriver(options);
    }
    case 'gcs': {
      const { GcsStorageDriver } = require('./gcs.driver') as typeof import('./gcs.driver');
      return new GcsStorageDriver(options);
    }
    default: {
      const unknown: never = options;
      throw new Error(`Unknown storage driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
