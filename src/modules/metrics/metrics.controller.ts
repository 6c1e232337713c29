import { Controller, Get, Headers, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsService } from '@keel/metrics';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { ApiException } from '../../common/errors/api.exception';
import { METRICS_REALM, metricsAccessAllowed } from './metrics-access';

/** `GET /metrics` on the main port (unless METRICS_PORT moves it, or METRICS_ENABLED=false). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const { enabled, port } = this.config.metrics;
    if (!enabled || port !== undefined) throw new NotFoundException();
    if (!metricsAccessAllowed(this.config.metrics, authorization)) {
      throw new ApiException(401, 'unauthorized', 'Metrics require credentials.', {
        headers: { 'WWW-Authenticate': METRICS_REALM },
      });
    }
    const { contentType, body } = await this.metrics.render();
    res.status(200).setHeader('Content-Type', contentType);
    res.end(body);
  }
}
