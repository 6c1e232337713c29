import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { CACHE_MODULE_OPTIONS } from './cache.module-definition';
import type { CacheModuleOptions } from './cache.options';

/** The façade features inject; values must be JSON-serialisable (they may live in Redis). */
@Injectable()
export class CacheService {
  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(CACHE_MODULE_OPTIONS) private readonly options: CacheModuleOptions,
  ) {}

  get driver(): CacheModuleOptions['driver'] {
    return this.options.driver;
  }

  /** `ready` when entries can be read and written (always, for the memory driver). */
  backendStatus(): string {
    return this.options.driver === 'redis' ? this.options.client.status : 'ready';
  }

  /**
   * A miss when absent — and while the Redis backend is disconnected, so an outage slows
   * nothing down: callers fall through to the source of truth.
   */
  async get<T>(key: string): Promise<T | undefined> {
    if (!this.available()) return undefined;
    return (await this.cache.get<T>(key)) ?? undefined;
  }

  /** `ttlMs` defaults to the configured CACHE_TTL_MS. Dropped while the backend is disconnected. */
  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    if (!this.available()) return;
    await this.cache.set(key, value, ttlMs ?? this.options.defaultTtlMs);
  }

  /** Throws while the backend is disconnected: a failed invalidation must not pass unnoticed. */
  async delete(key: string): Promise<void> {
    if (!this.available()) throw new Error(`cache backend unavailable (Redis ${this.backendStatus()})`);
    await this.cache.del(key);
  }

  /**
   * Returns the cached value, or computes, stores and returns it. Concurrent callers in this
   * process share one computation. Computes directly while the backend is disconnected.
   */
  async wrap<T>(key: string, compute: () => Promise<T>, ttlMs?: number): Promise<T> {
    if (!this.available()) return compute();
    return this.cache.wrap(key, compute, ttlMs ?? this.options.defaultTtlMs);
  }

  private available(): boolean {
    return this.backendStatus() === 'ready';
  }

  async clear(): Promise<void> {
    await this.cache.clear();
  }
}
