import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { AppConfig } from '../../config/app-config';

/**
 * On SIGTERM Nest closes the HTTP server (no new connections; in-flight requests finish), then
 * runs shutdown hooks that close pools. This adds what Nest lacks: readiness turns 503 at once so
 * load balancers stop routing here, idle keep-alive sockets are told to close, and requests still
 * running after SHUTDOWN_TIMEOUT_MS are cut so the process can exit.
 */
@Injectable()
export class GracefulShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(signal?: string): void {
    this.draining = true;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    this.logger.log({ signal, timeoutMs: this.config.server.shutdownTimeoutMs }, 'draining in-flight requests');
    // A keep-alive socket that finishes its last response while draining would otherwise stay
    // open until keepAliveTimeout; sweep idle ones until the server has closed.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => {
      this.logger.warn('shutdown timeout reached; closing the remaining connections');
      server.closeAllConnections();
    }, this.config.server.shutdownTimeoutMs);
    sweep.unref();
    deadline.unref();
    server.once('close', () => {
      clearInterval(sweep);
      clearTimeout(deadline);
    });
  }
}
