import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheModuleOptions } from './cache.options';

export const { ConfigurableModuleClass: CacheConfigurableModule, MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<CacheModuleOptions>({ moduleName: 'KeelCache' }).setClassMethodName('forRoot').build();

/** The Keyv instance the chosen driver builds; cache-manager stores through it. */
export const CACHE_KEYV = Symbol('CACHE_KEYV');
