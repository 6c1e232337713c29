import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { STORAGE_DRIVER, STORAGE_MODULE_OPTIONS, StorageConfigurableModule } from './storage.module-definition';
import type { StorageModuleOptions } from './storage.options';
import { StorageHealthIndicator } from './storage.health';
import { StorageService } from './storage.service';
import { createStorageDriver } from './drivers/create-storage-driver';

/** Object storage: local files (embedded default), S3 and S3-compatible, Azure Blob, GCS. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: STORAGE_DRIVER,
      useFactory: (options: StorageModuleOptions) => createStorageDriver(options),
      inject: [STORAGE_MODULE_OPTIONS],
    },
    StorageService,
    StorageHealthIndicator,
  ],
  // STORAGE_DRIVER is exported for StorageDownloadController, which the HTTP API (not the
  // worker) mounts to serve the local driver's signed links.
  exports: [StorageService, StorageHealthIndicator, STORAGE_DRIVER],
})
export class StorageModule extends StorageConfigurableModule {}
