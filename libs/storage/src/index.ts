export { StorageModule } from './storage.module';
export { STORAGE_MODULE_OPTIONS } from './storage.module-definition';
export type {
  AzureBlobStorageOptions,
  GcsStorageOptions,
  LocalStorageOptions,
  S3StorageOptions,
  StorageModuleOptions,
} from './storage.options';
export type {
  ListOptions,
  ListPage,
  ListedObject,
  ObjectInfo,
  PutBody,
  PutOptions,
  SignedUrlOptions,
} from './storage.types';
export { StorageService } from './storage.service';
export { StorageHealthIndicator } from './storage.health';
export { StorageError, StorageErrorCode } from './storage.errors';
export { LOCAL_DOWNLOAD_PATH } from './local-url-signer';
export { StorageDownloadController } from './storage-download.controller';
export { contentDisposition } from './content-disposition';
