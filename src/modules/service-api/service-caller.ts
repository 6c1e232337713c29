import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { App } from '../apps/app.entity';

/** The app an API key resolved to, attached by `AppKeyGuard`. */
export interface ServiceCaller {
  app: App;
  keyId: string;
}

export type ServiceRequest = Request & { serviceCaller?: ServiceCaller };

export const CurrentApp = createParamDecorator((_data: unknown, ctx: ExecutionContext): ServiceCaller => {
  const caller = ctx.switchToHttp().getRequest<ServiceRequest>().serviceCaller;
  // Only reachable on a route without AppKeyGuard: a programming error, not a client's.
  if (!caller) throw new Error('@CurrentApp() used on a route without AppKeyGuard');
  return caller;
});
