import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisModuleOptions } from './redis.options';

export const { ConfigurableModuleClass: RedisConfigurableModule, MODULE_OPTIONS_TOKEN: REDIS_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<RedisModuleOptions>({ moduleName: 'Redis' }).setClassMethodName('forRoot').build();
