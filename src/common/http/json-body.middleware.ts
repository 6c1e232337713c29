import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { AppConfig } from '../../config/app-config';
import {
  InvalidJsonPayloadException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '../errors/common.exceptions';

const EMPTY_BODY = Symbol('emptyBody');

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * Parses JSON bodies for every path before routing, so malformed JSON is a 400 on any path,
 * matched or not. An empty body leaves `req.body` undefined: endpoints that need a body then
 * answer Dify's "Invalid JSON payload" (see the validation pipe), while bodiless GET/POST
 * requests that carry a JSON content type are accepted.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: ReturnType<typeof json>;

  constructor(private readonly config: AppConfig) {
    this.parse = json({
      limit: config.server.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        if (buf.length === 0) (req as Request & { [EMPTY_BODY]?: boolean })[EMPTY_BODY] = true;
      },
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.parse(req, res, (error?: unknown) => {
      if (error) return next(this.toApiError(error as BodyParserError));
      if ((req as Request & { [EMPTY_BODY]?: boolean })[EMPTY_BODY]) req.body = undefined;
      next();
    });
  }

  private toApiError(error: BodyParserError): Error {
    switch (error.type) {
      case 'entity.parse.failed':
        return new InvalidJsonPayloadException(error);
      case 'entity.too.large':
        return new PayloadTooLargeException(this.config.server.bodyLimitBytes);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new UnsupportedMediaTypeException(error.message);
      default:
        return error;
    }
  }
}
