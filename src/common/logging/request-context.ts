import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving a request carries. */
export interface RequestContext {
  requestId: string;
}

/** Entered once per request by `RequestLoggingMiddleware`; read by the logger's mixin. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
