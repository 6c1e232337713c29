import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { TracingOptions } from './telemetry.options';

export const REQUEST_ID_ATTRIBUTE = 'keel.request_id';

/**
 * Incoming and outgoing HTTP (node:http for SDKs, undici for fetch), Express (the route template
 * names the server span) and Redis. Database queries and queue jobs are traced by their
 * own libraries, which see every driver the same way.
 */
export function instrumentationsFor(
  options: Pick<TracingOptions, 'requestIdHeader' | 'ignoreIncomingPaths'>,
): Instrumentation[] {
  const ignored = new Set(options.ignoreIncomingPaths);
  const requestIdHeader = options.requestIdHeader.toLowerCase();
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => ignored.has((req.url ?? '').split('?')[0]),
      // A client call made outside any request or job (a timer, a health probe) is not a trace.
      requireParentforOutgoingSpans: true,
      applyCustomAttributesOnSpan: (span, _request, response) => {
        // Server side only: the id is on the response once pino-http has assigned it.
        const id = (response as ServerResponse).getHeader?.(requestIdHeader);
        if (typeof id === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, id);
      },
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    // Only for the route template it gives the server span: Nest mounts each middleware and
    // handler as an Express layer, and a span for each (five or more per request) is noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER] }),
    new IORedisInstrumentation({
      // Bull's blocking polls would otherwise start a trace every few seconds.
      requireParentSpan: true,
      // Command names only: arguments carry keys and values (tokens, cached content).
      dbStatementSerializer: (command) => command,
    }),
  ];
}
