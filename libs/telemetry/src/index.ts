export { TelemetryModule } from './telemetry.module';
export { TELEMETRY_MODULE_OPTIONS } from './telemetry.module-definition';
export type { OtlpExportOptions, TelemetryModuleOptions, TraceSamplerKind, TracingOptions } from './telemetry.options';
export { TelemetryService } from './telemetry.service';
export { OtelHealthIndicator } from './otel.health';
export { activeTelemetry, TelemetryRuntime } from './telemetry-runtime';
