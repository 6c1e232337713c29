import type { Request } from 'express';

/**
 * Which workspace and app a request acts for, once authentication has resolved them. Error
 * reports and audit records read it; guards write it.
 */
export interface RequestScope {
  workspaceId?: string;
  appId?: string;
  accountId?: string;
}

const SCOPE = Symbol('keel.requestScope');

type ScopedRequest = Request & { [SCOPE]?: RequestScope };

export function setRequestScope(req: Request, scope: RequestScope): void {
  const scoped = req as ScopedRequest;
  scoped[SCOPE] = { ...scoped[SCOPE], ...scope };
}

export function requestScopeOf(req: Request): RequestScope {
  return (req as ScopedRequest)[SCOPE] ?? {};
}

/** The id `RequestLoggingMiddleware` assigned (see `assignRequestId`). */
export function requestIdOf(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
