import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { AppModule } from './app.module';
import { setupCors } from './common/http/cors.setup';
import { StablePrototypeExpressAdapter } from './common/http/stable-prototype-express.adapter';
import { GracefulShutdownService } from './common/lifecycle/graceful-shutdown.service';
import type { AppConfig } from './config/app-config';

export const API_VERSION = '0.1.0';

/**
 * Builds the HTTP application exactly as production runs it; `main.ts` and the end-to-end tests
 * both call this, so tests exercise the real pipeline (parsers, CORS, filters, docs).
 */
export async function createApp(
  config: AppConfig,
  rootModule: DynamicModule | Type = AppModule.forRoot(config),
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, new StablePrototypeExpressAdapter(), {
    bufferLogs: true,
    // Keel parses bodies itself (JsonBodyMiddleware) so that errors use the API's envelope.
    bodyParser: false,
  });
  configureApp(app, config);
  await app.init();
  return app;
}

export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.set('trust proxy', config.server.trustProxy);
  app.disable('x-powered-by');
  // API answers are never cached by validators; hashing every JSON body for an ETag is waste.
  app.set('etag', false);
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  const shutdown = app.get(GracefulShutdownService);
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (shutdown.isDraining) res.setHeader('Connection', 'close');
    next();
  });
  setupCors(app, config.cors);
  app.enableShutdownHooks();
  if (config.server.docsEnabled) setupDocs(app);
}

export function buildOpenApiDocument(app: INestApplication) {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Keel')
      .setDescription(
        'Keel API: the Dify-compatible Service API (/v1, app keys), the OpenAI-compatible API (/v1/models, /v1/chat/completions; app keys and workspace keys sk-keel-…), the console API (/console/api) and operations endpoints (/health).',
      )
      .setVersion(API_VERSION)
      .addBearerAuth()
      .build(),
  );
  return cleanupOpenApiDoc(document);
}

function setupDocs(app: NestExpressApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Keel API',
  });
}
