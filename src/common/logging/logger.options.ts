import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';
import { matchedRoutePath } from '../http/all-routes';
import { assignRequestId } from '../http/request-id';
import { redactSecrets, redactUrl } from './redact';

type RoutedRequest = IncomingMessage & { route?: { path?: string }; originalUrl?: string; id?: unknown };

// Probes hit these every few seconds; their answers still carry X-Request-Id.
const QUIET_PATHS = /^\/(health(\/|$)|metrics$)/;

/** nestjs-pino options: one line per request, request id on every line, secrets never written. */
export function loggerOptionsFrom(config: AppConfig, destination?: DestinationStream): Params {
  const options: Options = {
    level: config.logging.level,
    // pino takes either a transport or a destination stream, not both.
    transport:
      config.logging.format === 'pretty' && !destination
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
    genReqId: assignRequestId,
    // Joins a log line to its trace when tracing is on (the API is a no-op otherwise).
    mixin: traceIds,
    customAttributeKeys: { reqId: 'requestId' },
    // Every line logged during a request carries `requestId` (not the whole request object).
    quietReqLogger: true,
    autoLogging: { ignore: (req) => QUIET_PATHS.test((req as RoutedRequest).url ?? '') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req as RoutedRequest)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req as RoutedRequest)} ${res.statusCode}`,
    customProps: (req) => ({ route: routeOf(req as RoutedRequest) }),
    serializers: {
      req: (req: RoutedRequest) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.originalUrl ?? req.url ?? ''),
        headers: redactSecrets(pickHeaders(req.headers)),
        remoteAddress: req.socket?.remoteAddress,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
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
    // Raw objects reach the serializers above (the wrapped ones report statusCode as null).
    wrapSerializers: false,
  };
  return { pinoHttp: destination ? [options, destination] : options, renameContext: 'context' };
}

function traceIds(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** The matched route template (`/v1/conversations/:id`), not the concrete URL. */
function routeOf(req: RoutedRequest): string {
  return matchedRoutePath(req) ?? '(unmatched)';
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
