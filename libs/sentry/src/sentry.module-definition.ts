import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SentryModuleOptions } from './sentry.options';

export const { ConfigurableModuleClass: SentryConfigurableModule, MODULE_OPTIONS_TOKEN: SENTRY_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<SentryModuleOptions>({ moduleName: 'Sentry' }).setClassMethodName('forRoot').build();
