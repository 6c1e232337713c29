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

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.cache.get<T>(key)) ?? undefined;
  }

  /** `ttlMs` defaults to the configured CACHE_TTL_MS. */
  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.cache.set(key, value, ttlMs ?? this.options.defaultTtlMs);
  }

  async delete(key: string): Promise<void> {
    await this.cache.del(key);
  }

  /**
   * Returns the cached value, or computes, stores and returns it. Concurrent callers in this
   * process share one computation.
   */
  async wrap<T>(key: string, compute: () => Promise<T>, ttlMs?: number): Promise<T> {
    return this.cache.wrap(key, compute, ttlMs ?? this.options.defaultTtlMs);
  }

  async clear(): Promise<void> {
    await this.cache.clear();
  }
}
