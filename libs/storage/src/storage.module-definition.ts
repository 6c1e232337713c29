import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { StorageModuleOptions } from './storage.options';

export const { ConfigurableModuleClass: StorageConfigurableModule, MODULE_OPTIONS_TOKEN: STORAGE_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<StorageModuleOptions>({ moduleName: 'Storage' }).setClassMethodName('forRoot').build();

export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');
