import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DatabaseModuleOptions } from './database.options';

export const {
  ConfigurableModuleClass: DatabaseConfigurableModule,
  MODULE_OPTIONS_TOKEN: DATABASE_MODULE_OPTIONS,
  OPTIONS_TYPE: DATABASE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DATABASE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DatabaseModuleOptions>({ moduleName: 'Database' })
  .setClassMethodName('forRoot')
  .build();
