import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '@keel/metrics';
import { AppConfig } from '../../config/app-config';
import { METRICS_REALM, metricsAccessAllowed } from './metrics-access';

/**
 * With METRICS_PORT set, /metrics is served by its own small HTTP server, so a network policy can
 * expose it to the monitoring system only. Nothing else is served there.
 */
@Injectable()
export class MetricsPortServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { enabled, port } = this.config.metrics;
    if (!enabled || port === undefined) return;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (!metricsAccessAllowed(this.config.metrics, req.headers.authorization)) {
        res.writeHead(401, { 'www-authenticate': METRICS_REALM, 'content-type': 'text/plain' }).end('unauthorized\n');
        return;
      }
      this.metrics.render().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => {
          this.logger.error({ err: error }, 'metrics rendering failed');
          res.writeHead(500).end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.server.host, resolve);
    });
    this.logger.log(`metrics on http://${this.config.server.host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }
}
