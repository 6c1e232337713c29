import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TelemetryModuleOptions } from './telemetry.options';

export const { ConfigurableModuleClass: TelemetryConfigurableModule, MODULE_OPTIONS_TOKEN: TELEMETRY_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<TelemetryModuleOptions>({ moduleName: 'Telemetry' })
    .setClassMethodName('forRoot')
    .build();
