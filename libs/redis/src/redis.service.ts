import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { REDIS_MODULE_OPTIONS } from './redis.module-definition';
import type { RedisModuleOptions } from './redis.options';
import { createRedisDriver } from './drivers/create-redis-driver';
import type { RedisClient, RedisConnectionRole, RedisDriver } from './drivers/redis-driver';

/**
 * The façade features inject. `client` is the shared connection; every key it touches gets the
 * deployment's prefix. Libraries that need their own connections (Bull) ask `createConnection`,
 * and this service closes all of them on shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly driver: RedisDriver;
  private readonly connections = new Set<RedisClient>();
  private lastErrorMessage?: string;
  readonly client: RedisClient;

  constructor(@Inject(REDIS_MODULE_OPTIONS) private readonly options: RedisModuleOptions) {
    this.driver = createRedisDriver(options);
    this.client = this.track(this.driver.createClient('main'), 'main');
  }

  get keyPrefix(): string {
    return this.options.keyPrefix;
  }

  get mode(): RedisDriver['mode'] {
    return this.driver.mode;
  }

  /** `ready` when commands can run; otherwise ioredis's state (`connecting`, `reconnecting`…). */
  get status(): string {
    return this.client.status;
  }

  get lastError(): string | undefined {
    return this.lastErrorMessage;
  }

  describe(): string {
    return this.driver.describe();
  }

  /** A dedicated connection without the key prefix (callers prefix their own keys). */
  createConnection(role: Exclude<RedisConnectionRole, 'main'>): RedisClient {
    return this.track(this.driver.createClient(role), role);
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.client.ping();
    return performance.now() - started;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.connections].map(async (c) => {
        if (c.status === 'end') return;
        // The shared client finishes its pending commands; dedicated ones may be blocked.
        if (c === this.client) await c.quit().catch(() => c.disconnect());
        else c.disconnect();
      }),
    );
    this.connections.clear();
  }

  private track(client: RedisClient, role: RedisConnectionRole): RedisClient {
    // Kept even after 'end': a library may reconnect a connection it had closed.
    this.connections.add(client);
    if (role !== 'main') return client;
    // Log a transition once, not every reconnect attempt.
    client.on('error', (error: Error) => {
      const message = error.message || (error as NodeJS.ErrnoException).code || error.name;
      if (message !== this.lastErrorMessage) this.logger.warn(`${this.describe()}: ${message}`);
      this.lastErrorMessage = message;
    });
    client.on('ready', () => {
      if (this.lastErrorMessage) this.logger.log(`${this.describe()}: connected again`);
      this.lastErrorMessage = undefined;
    });
    return client;
  }
}
