import { Global, Module } from '@nestjs/common';
import { MetricsConfigurableModule } from './metrics.module-definition';
import { MetricsService } from './metrics.service';

/** Prometheus metrics (prom-client). Where they are served is the application's choice. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule extends MetricsConfigurableModule {}
