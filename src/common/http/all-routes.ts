/**
 * The path app-wide Nest middleware is registered under. Express records it as `req.route` for a
 * request no controller matched, which is how the error filter and the request log recognise one.
 */
export const ALL_ROUTES_PATH = '{*path}';

export function matchedRoutePath(req: { route?: { path?: unknown } }): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' && path !== `/${ALL_ROUTES_PATH}` ? path : undefined;
}
