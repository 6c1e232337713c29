import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OtelHealthIndicator } from './otel.health';
import { TelemetryConfigurableModule } from './telemetry.module-definition';
import { TelemetryService } from './telemetry.service';

/** OpenTelemetry traces: state, health and shutdown of the SDK started by `instrument.ts`. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [TelemetryService, OtelHealthIndicator],
  exports: [TelemetryService, OtelHealthIndicator],
})
export class TelemetryModule extends TelemetryConfigurableModule {}
