import type { Request } from 'express';
import { ALL_ROUTES_PATH } from './all-routes';

interface RouteLayer {
  route?: { path: string; _methods(): string[] };
  match(path: string): boolean;
}

/**
 * The methods the app serves for a path, read from Express's router. Used only when a request
 * matched no route, to tell a wrong method (405 with `Allow`) from an unknown path (404).
 */
export function allowedMethodsFor(req: Request): string[] {
  const stack = (req.app as unknown as { router?: { stack: RouteLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || layer.route.path === `/${ALL_ROUTES_PATH}`) continue;
    if (layer.match(req.path)) for (const m of layer.route._methods()) methods.add(m.toUpperCase());
  }
  return [...methods].filter((m) => m !== '_ALL').sort();
}
