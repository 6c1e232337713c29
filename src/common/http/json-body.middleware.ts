import { AsyncResource } from 'node:async_hooks';
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

// `application/json`, optionally with `charset=utf-8`: what every API client sends.
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Parses JSON bodies for every path before routing, so malformed JSON is a 400 on any path,
 * matched or not. An empty body leaves `req.body` undefined: endpoints that need a body then
 * answer Dify's "Invalid JSON payload" (see the validation pipe), while bodiless GET/POST
 * requests that carry a JSON content type are accepted.
 *
 * Plain uncompressed UTF-8 JSON is read here directly; anything else (other charsets, compressed
 * bodies, `+json` types) goes through Express's body-parser. On the chat benchmark body-parser and
 * its helpers cost about 5% of a request's CPU for a 100-byte body; the direct read does the same
 * checks (size limit, objects and arrays only) with a fraction of the work.
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
    if (this.isPlainJson(req)) return this.readPlainJson(req, next);
    this.parse(req, res, (error?: unknown) => {
      if (error) return next(this.toApiError(error as BodyParserError));
      if ((req as Request & { [EMPTY_BODY]?: boolean })[EMPTY_BODY]) req.body = undefined;
      next();
    });
  }

  private isPlainJson(req: Request): boolean {
    const type = req.headers['content-type'];
    const encoding = req.headers['content-encoding'];
    return (
      type !== undefined &&
      PLAIN_JSON.test(type) &&
      (encoding === undefined || encoding.toLowerCase() === 'identity') &&
      (req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined)
    );
  }

  private readPlainJson(req: Request, callerNext: NextFunction): void {
    // The body's events run outside the request's async context; the rest of the request must
    // run inside it (the request id of every log line), as body-parser also ensures.
    // (`AsyncResource.bind` would do, but builds a deprecation wrapper on every call.)
    const scope = new AsyncResource('keel.jsonBody');
    const next = (error?: unknown) => scope.runInAsyncScope(callerNext, undefined, error);
    const limit = this.config.server.bodyLimitBytes;
    if (Number(req.headers['content-length']) > limit) {
      req.resume();
      return next(new PayloadTooLargeException(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        return next(new PayloadTooLargeException(limit));
      }
      chunks.push(chunk);
    };
    const onError = (error: Error) => {
      cleanup();
      next(error);
    };
    const onEnd = () => {
      cleanup();
      if (size === 0) {
        req.body = undefined;
        return next();
      }
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
      // As body-parser's strict mode: a JSON body is an object or an array.
      const first = text.trimStart()[0];
      if (first !== '{' && first !== '[') return next(new InvalidJsonPayloadException());
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (error) {
        return next(new InvalidJsonPayloadException(error));
      }
      next();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
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
