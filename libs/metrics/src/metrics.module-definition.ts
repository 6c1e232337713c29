import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MetricsModuleOptions } from './metrics.options';

export const { ConfigurableModuleClass: MetricsConfigurableModule, MODULE_OPTIONS_TOKEN: METRICS_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<MetricsModuleOptions>({ moduleName: 'Metrics' }).setClassMethodName('forRoot').build();
