export { CacheModule } from './cache.module';
export { CACHE_MODULE_OPTIONS } from './cache.module-definition';
export type { CacheModuleOptions, MemoryCacheOptions, RedisCacheOptions } from './cache.options';
export { CacheService } from './cache.service';
export { CacheHealthIndicator } from './cache.health';
