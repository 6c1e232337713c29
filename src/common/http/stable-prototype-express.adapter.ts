import { IncomingMessage, type RequestListener, ServerResponse, createServer } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';

/** An Express application as Node's server sees it, with the prototypes Express gives its objects. */
type ExpressApp = RequestListener & { request: object; response: object };

type NodeConstructor = (this: object, ...args: unknown[]) => void;

/** Node's HTTP classes are plain constructor functions on the Node versions Keel supports. */
const callable = (base: unknown) => !Function.prototype.toString.call(base).startsWith('class');

/**
 * A constructor for Node's HTTP server that runs Node's own constructor on an object created with
 * `prototype`. (`Reflect.construct` with another target does the same for ES classes, but V8 takes
 * a slow path for it: slower than the swap this avoids, measured.)
 */
function constructing<T>(base: T, prototype: object): T {
  function Stable(this: object, ...args: unknown[]): void {
    (base as NodeConstructor).apply(this, args);
  }
  Stable.prototype = prototype;
  return Stable as T;
}

/**
 * Nest's Express adapter, with one change: the HTTP server creates requests and responses whose
 * prototypes are already Express's (`app.request`, `app.response`).
 *
 * Why: Express swaps the prototype of every request and response it receives
 * (`Object.setPrototypeOf(req, app.request)`). V8 then gives each object a new hidden class, and
 * property accesses on them in Node's HTTP code and in Express turn megamorphic. Measured on a
 * bare Express 5 route (8 keep-alive clients, server CPU per request): 140–180 µs with the swap,
 * 50–70 µs without; Node's server alone is 42 µs. With the right prototype from the start,
 * Express's `setPrototypeOf` finds nothing to change. The objects are the same as before:
 * Express's methods, and `instanceof IncomingMessage` / `ServerResponse` still hold.
 *
 * HTTPS and `forceCloseConnections` (neither used by Keel), or a Node whose HTTP classes are ES
 * classes, get Nest's own server.
 */
export class StablePrototypeExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (
      options?.httpsOptions ||
      options?.forceCloseConnections ||
      !callable(IncomingMessage) ||
      !callable(ServerResponse)
    ) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<ExpressApp>();
    this.httpServer = createServer(
      {
        IncomingMessage: constructing(IncomingMessage, app.request),
        ServerResponse: constructing(ServerResponse, app.response),
      },
      app,
    );
  }
}
