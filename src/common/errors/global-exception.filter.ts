import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MailError } from '@keel/mail';
import { ErrorReporter } from '@keel/sentry';
import { StorageError, StorageErrorCode } from '@keel/storage';
import { matchedRoutePath } from '../http/all-routes';
import { allowedMethodsFor } from '../http/allowed-methods';
import { requestIdOf, requestScopeOf } from '../http/request-scope';
import { ApiException } from './api.exception';
import { InvalidParamException } from './common.exceptions';
import { isOpenAiPath, openAiErrorOf, unservedOpenAiPath } from './openai-envelope';
import { httpReason } from './http-reasons';

export interface ErrorBody {
  code: string;
  message: string;
  status: number;
  [extra: string]: unknown;
}

interface RenderedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * The one place errors become responses, in the envelope of the face that was called: Dify's
 * `{code, message, status}` everywhere but the OpenAI-compatible paths, which answer OpenAI's
 * `{error: {message, type, param, code}}`. Nothing internal (stack, driver message) reaches a client.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly errorReporter: ErrorReporter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const rendered = this.render(exception, req);

    if (rendered.status >= 500) {
      const route = matchedRoutePath(req) ?? 'unmatched';
      this.logger.error({ err: exception, route, method: req.method }, 'unhandled error');
      // Client errors (4xx) are the caller's business, not an incident: only 5xx are reported.
      const scope = requestScopeOf(req);
      this.errorReporter.captureServerError(exception, {
        route,
        method: req.method,
        requestId: requestIdOf(req),
        workspaceId: scope.workspaceId,
        appId: scope.appId,
      });
    }
    if (res.headersSent) {
      // A stream already started (SSE); the status line is gone, so end it.
      res.end();
      return;
    }
    if (rendered.status === 401) rendered.headers['WWW-Authenticate'] ??= 'Bearer realm="api"';
    const body = isOpenAiPath(req.path)
      ? openAiErrorOf(rendered.body, exception instanceof InvalidParamException ? exception.field : null)
      : rendered.body;
    res.status(rendered.status).set(rendered.headers).json(body);
  }

  private render(exception: unknown, req: Request): RenderedError {
    if (exception instanceof ApiException) {
      const status = exception.getStatus();
      return {
        status,
        body: { code: exception.code, message: exception.message, status },
        headers: { ...exception.extra?.headers },
      };
    }
    if (exception instanceof StorageError) return renderStorageError(exception);
    if (exception instanceof MailError) {
      return { status: 400, body: { code: 'invalid_param', message: exception.message, status: 400 }, headers: {} };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 && !matchedRoutePath(req)) return this.unmatchedRoute(req);
      const reason = httpReason(status);
      return {
        status,
        body: { code: reason.code, message: messageOf(exception) ?? reason.message, status },
        headers: {},
      };
    }
    const status = statusOfHttpError(exception);
    if (status) {
      const reason = httpReason(status);
      return { status, body: { code: reason.code, message: reason.message, status }, headers: {} };
    }
    return { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 }, headers: {} };
  }

  private unmatchedRoute(req: Request): RenderedError {
    const allowed = allowedMethodsFor(req);
    const unserved = allowed.length === 0 ? unservedOpenAiPath(req.method, req.path) : undefined;
    if (unserved) return { status: unserved.status, body: unserved, headers: {} };
    const status = allowed.length > 0 ? 405 : 404;
    const reason = httpReason(status);
    return {
      status,
      body: { code: reason.code, message: reason.message, status },
      headers: status === 405 ? { Allow: allowed.join(', ') } : {},
    };
  }
}

const STORAGE_STATUS: Record<StorageErrorCode, number> = {
  [StorageErrorCode.InvalidKey]: 400,
  [StorageErrorCode.NotFound]: 404,
  [StorageErrorCode.InvalidSignature]: 403,
  [StorageErrorCode.Expired]: 403,
  [StorageErrorCode.Unsupported]: 501,
};

function renderStorageError(error: StorageError): RenderedError {
  const status = STORAGE_STATUS[error.code];
  const code =
    error.code === StorageErrorCode.InvalidKey
      ? 'invalid_param'
      : error.code === StorageErrorCode.NotFound
        ? 'not_found'
        : error.code;
  return { status, body: { code, message: error.message, status }, headers: {} };
}

/** Nest's built-in exceptions carry a string or `{message}`; class-validator gives an array. */
function messageOf(exception: HttpException): string | undefined {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return undefined;
}

/** Errors from Express-level middleware (http-errors) that are safe to expose. */
function statusOfHttpError(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, statusCode, expose } = exception as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return code && code >= 400 && code < 500 && expose !== false ? code : undefined;
}
