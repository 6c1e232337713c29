import { Injectable, type NestMiddleware } from '@nestjs/common';
import { MetricsService } from '@keel/metrics';
import type { NextFunction, Request, Response } from 'express';
import { matchedRoutePath } from '../../common/http/all-routes';

/**
 * Times every request and counts it by method, route template and status once the response is
 * done. A request no route matched is labelled `unmatched`, never with its raw path (which
 * would let any client create unbounded label values).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        method: req.method,
        route: matchedRoutePath(req) ?? 'unmatched',
        status: String(res.statusCode),
      };
      this.metrics.httpRequests.inc(labels);
      this.metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
