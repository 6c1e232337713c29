import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Where a request came from, for the audit log and the login limiter. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export function requestMetaOf(req: Request): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: typeof ua === 'string' ? ua : null };
}

export const ReqMeta = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): RequestMeta => requestMetaOf(ctx.switchToHttp().getRequest<Request>()),
);
