import type { INestApplication } from '@nestjs/common';
import cors from 'cors';
import type { CorsConfig } from '../../config/app-config';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Two faces, two policies: the console sends credentials, so only listed origins may call it;
 * the Service API is called with API keys from anywhere the operator allows, never with cookies.
 */
export function setupCors(app: INestApplication, config: CorsConfig): void {
  if (config.consoleOrigins.length > 0) {
    app.use(
      '/console/api',
      cors({
        origin: config.consoleOrigins,
        credentials: true,
        exposedHeaders: [REQUEST_ID_HEADER],
        maxAge: 600,
      }),
    );
  }
  app.use(
    '/v1',
    cors({
      origin: config.serviceApiOrigins === '*' ? '*' : config.serviceApiOrigins,
      credentials: false,
      exposedHeaders: [REQUEST_ID_HEADER, 'Retry-After'],
      maxAge: 600,
    }),
  );
}
