import { Controller, Get, Inject, NotFoundException, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { LocalStorageDriver } from './drivers/local.driver';
import type { StorageDriver } from './drivers/storage-driver';
import { contentDisposition } from './content-disposition';
import { LOCAL_DOWNLOAD_PATH } from './local-url-signer';
import { STORAGE_DRIVER } from './storage.module-definition';

/**
 * Serves the local driver's signed links (the other drivers' links point at their own servers).
 * The signature and expiry are checked before the file is touched.
 */
@ApiExcludeController()
@Controller()
export class StorageDownloadController {
  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  @Get(LOCAL_DOWNLOAD_PATH)
  async download(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    if (!(this.driver instanceof LocalStorageDriver)) throw new NotFoundException();
    const { key, name } = this.driver.urlSigner.verify(query);
    const { stream, info } = await this.driver.get(key);
    res.status(200);
    res.setHeader('Content-Type', info.contentType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(info.size));
    res.setHeader('Cache-Control', 'private, no-store');
    if (name) res.setHeader('Content-Disposition', contentDisposition(name));
    await pipeline(stream, res);
  }
}
