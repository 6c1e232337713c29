import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { QueueModuleOptions } from './queue.options';

export const { ConfigurableModuleClass: QueueConfigurableModule, MODULE_OPTIONS_TOKEN: QUEUE_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<QueueModuleOptions>({ moduleName: 'Queue' }).setClassMethodName('forRoot').build();

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');
