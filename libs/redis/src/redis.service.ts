import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { REDIS_MODULE_OPTIONS } from './redis.module-definition';
import type { RedisModuleOptions } from './redis.options';
import { createRedisDriver } from './drivers/create-redis-driver';
import type { RedisClient, RedisConnectionRole, RedisDriver } from './drivers/redis-driver';

/**
 * The façade features inject. `client` is the shared connection; every key it touches gets the
 * deployment's prefix. Libraries that need their own connections (Bull) ask `createConnection`
 * and close them themselves: they must outlive this service's shutdown hook, which may run first.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly driver: RedisDriver;
  private lastErrorMessage?: string;
  readonly client: RedisClient;

  constructor(@Inject(REDIS_MODULE_OPTIONS) private readonly options: RedisModuleOptions) {
    this.driver = createRedisDriver(options);
    this.client = this.watch(this.driver.createClient('main'));
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
    return this.driver.createClient(role);
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.client.ping();
    return performance.now() - started;
  }

  async onApplicationShutdown(): Promise<void> {
    const c = this.client;
    if (c.status === 'end') return;
    // QUIT lets pending commands finish; a disconnected client would only queue it until the
    // next reconnect attempt, so it is dropped at once instead.
    if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
    else c.disconnect();
  }

  private watch(client: RedisClient): RedisClient {
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
