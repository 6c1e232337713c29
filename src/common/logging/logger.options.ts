import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { redactSecrets, redactUrl } from './redact';
import { requestContext } from './request-context';

type LoggedRequest = IncomingMessage & { originalUrl?: string; id?: unknown };

/**
 * nestjs-pino over one root pino logger: the request id (and trace ids when tracing is on) joins
 * every line through a mixin, and `RequestLoggingMiddleware` writes the one line per request.
 * pino-http is not used: it built three child loggers and serialized the request on every request
 * whether or not anything was logged, about 5% of a chat request's CPU in the chat benchmark.
 */
export function loggerOptionsFrom(config: AppConfig, destination?: DestinationStream): Params {
  return {
    pinoHttp: { logger: createRootLogger(config, destination) },
    // The request middleware is Keel's own; nestjs-pino only provides the Nest logger services.
    useExisting: true,
    forRoutes: [],
    renameContext: 'context',
  };
}

function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logging.level,
    // pino takes either a transport or a destination stream, not both.
    transport:
      config.logging.format === 'pretty' && !destination
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
    mixin: contextFields,
    serializers: { err: pino.stdSerializers.err },
    formatters: {
      log: (object) => redactSecrets(object) as Record<string, unknown>,
    },
    // Anything that slipped through the formatter (bindings, nested serializer output).
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A request as its log line shows it: chosen headers only, secrets and query secrets redacted. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url ?? ''),
    headers: redactSecrets(pickHeaders(req.headers)),
    remoteAddress: req.socket?.remoteAddress,
  };
}

export function serializeResponse(res: ServerResponse): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** The current request's id, and the active span's ids when tracing is on (a no-op API otherwise). */
function contextFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const requestId = requestContext.getStore()?.requestId;
  if (requestId) fields.requestId = requestId;
  const span = trace.getActiveSpan();
  if (span) {
    const { traceId, spanId } = span.spanContext();
    fields.traceId = traceId;
    fields.spanId = spanId;
  }
  return fields;
}

const LOGGED_HEADERS = [
  'host',
  'user-agent',
  'content-type',
  'content-length',
  'x-forwarded-for',
  'authorization',
  'cookie',
  'x-api-key',
];

function pickHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) out[name] = headers[name];
  return out;
}
