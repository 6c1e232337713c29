import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { matchedRoutePath } from '../http/all-routes';
import { markArrival } from '../http/request-arrival';
import { assignRequestId } from '../http/request-id';
import { serializeRequest, serializeResponse } from './logger.options';
import { requestContext } from './request-context';

// Probes hit these every few seconds; their answers still carry X-Request-Id.
const QUIET_PATHS = /^\/(health(\/|$)|metrics$)/;

/**
 * Gives every request its id (echoed as X-Request-Id), runs the rest of the request in that
 * context so that every line logged for it carries the id, and writes one line when the response
 * is done: method, route template (never the raw path), status and time. A client that goes away
 * first gets an `aborted` line instead.
 */
@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  constructor(private readonly pino: PinoLogger) {}

  use(req: Request, res: Response, next: NextFunction): void {
    markArrival(req);
    const requestId = assignRequestId(req, res);
    (req as Request & { id?: string }).id = requestId;
    if (!QUIET_PATHS.test(req.originalUrl)) {
      const started = performance.now();
      res.once('close', () => this.logCompletion(req, res, requestId, started));
    }
    requestContext.run({ requestId }, next);
  }

  private logCompletion(req: Request, res: Response, requestId: string, started: number): void {
    const aborted = !res.writableFinished;
    const level = res.statusCode >= 500 && !aborted ? 'error' : 'info';
    const logger = this.pino.logger;
    if (!logger.isLevelEnabled(level)) return;
    const route = matchedRoutePath(req) ?? '(unmatched)';
    logger[level](
      {
        requestId,
        route,
        req: serializeRequest(req),
        res: serializeResponse(res),
        responseTime: Math.round(performance.now() - started),
        ...(aborted ? { aborted: true } : {}),
      },
      `${req.method} ${route} ${aborted ? 'aborted' : res.statusCode}`,
    );
  }
}
