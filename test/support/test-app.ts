import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { AppModule } from '../../src/app.module';
import { createApp } from '../../src/app.setup';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';
import { freePort } from './server-process';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  dataDir: string;
  /** Every JSON log line the app wrote so far, parsed. */
  logs(): Array<Record<string, any>>;
  close(): Promise<void>;
}

export type RootModuleFactory = (appModule: DynamicModule) => DynamicModule;

/**
 * Boots the real application in this process, listening on a free loopback port, from the given
 * variables only (no `.env`, no inherited environment). SQLite under a fresh DATA_DIR unless the
 * variables say otherwise. Logs are captured in memory (JSON), not written to the terminal.
 * `wrap` lets a suite mount test-only controllers around the real AppModule.
 */
export async function bootTestApp(env: Record<string, string> = {}, wrap?: RootModuleFactory): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-data-'));
  // A real port chosen up front, so URLs Keel derives from PORT (signed links) point at it.
  const port = await freePort();
  const config = loadConfig({
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DB_CONNECT_RETRIES: '0',
      PORT: String(port),
      ...env,
    },
    envFile: false,
  });
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  // nestjs-pino keeps one process-wide logger for lines written outside a request (the first
  // app's); a process runs one app in production, but a test file may boot several.
  __resetOutOfContextForTests();
  const appModule = AppModule.forRoot(config, { logDestination });
  const app = await createApp(config, wrap ? wrap(appModule) : appModule);
  await app.listen(port, '127.0.0.1');
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
