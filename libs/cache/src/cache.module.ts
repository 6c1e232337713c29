import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type Keyv from 'keyv';
import { CACHE_KEYV, CACHE_MODULE_OPTIONS, CacheConfigurableModule } from './cache.module-definition';
import type { CacheModuleOptions } from './cache.options';
import { CacheHealthIndicator } from './cache.health';
import { CacheService } from './cache.service';
import { createCacheKeyv } from './drivers/create-cache-keyv';

/**
 * The cache extension over `@nestjs/cache-manager` (cache-manager + Keyv). Global, and it
 * exports its options and Keyv store, which is how the nested cache-manager module (resolved
 * through the global scope) receives the store the chosen driver built.
 */
@Global()
@Module({
  imports: [
    TerminusModule,
    NestCacheModule.registerAsync({
      useFactory: (keyv: Keyv, options: CacheModuleOptions) => ({ stores: [keyv], ttl: options.defaultTtlMs }),
      inject: [CACHE_KEYV, CACHE_MODULE_OPTIONS],
    }),
  ],
  providers: [
    {
      provide: CACHE_KEYV,
      useFactory: (options: CacheModuleOptions) => createCacheKeyv(options),
      inject: [CACHE_MODULE_OPTIONS],
    },
    CacheService,
    CacheHealthIndicator,
  ],
  exports: [CACHE_KEYV, CACHE_MODULE_OPTIONS, CacheService, CacheHealthIndicator],
})
export class CacheModule extends CacheConfigurableModule {}
