/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI document generated from the
 * controllers, so API changes show up in review. A test fails when the file is out of date.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument, createApp } from './app.setup';
import { loadConfig } from './config/config.loader';

export const OPENAPI_FILE = join(__dirname, '..', 'docs', 'openapi.json');

export function serialiseOpenApi(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-openapi-'));
  try {
    const config = loadConfig({
      env: { NODE_ENV: 'test', LOG_LEVEL: 'fatal', DATA_DIR: dataDir, DB_DATABASE: ':memory:' },
      envFile: false,
    });
    const app = await createApp(config);
    writeFileSync(OPENAPI_FILE, serialiseOpenApi(buildOpenApiDocument(app)));
    await app.close();
    console.log(`Wrote ${OPENAPI_FILE}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
