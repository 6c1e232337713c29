import type { IncomingMessage } from 'node:http';

const ARRIVED_AT = Symbol('keel.arrivedAt');

type Marked = IncomingMessage & { [ARRIVED_AT]?: number };

/** Notes when the request reached Keel (by the first middleware, before any other work). */
export function markArrival(req: IncomingMessage): void {
  (req as Marked)[ARRIVED_AT] = performance.now();
}

/** Milliseconds since the request arrived (0 when it was never marked). */
export function msSinceArrival(req: IncomingMessage): number {
  const arrived = (req as Marked)[ARRIVED_AT];
  return arrived === undefined ? 0 : performance.now() - arrived;
}
