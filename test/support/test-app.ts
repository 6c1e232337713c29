import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.setup';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Boots the real application in this process, listening on a free loopback port, from the given
 * variables only (no `.env`, no inherited environment). SQLite under a fresh DATA_DIR unless the
 * variables say otherwise.
 */
export async function bootTestApp(
  env: Record<string, string> = {},
  rootModule?: (config: AppConfig) => DynamicModule | Type,
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-data-'));
  const config = loadConfig({
    env: { NODE_ENV: 'test', LOG_LEVEL: 'fatal', DATA_DIR: dataDir, DB_CONNECT_RETRIES: '0', ...env },
    envFile: false,
  });
  const app = await createApp(config, rootModule?.(config));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
