import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { setRequestScope } from '../../common/http/request-scope';
import { AppKeyAuthService, usableApp } from './app-key-auth.service';
import { RequestLimiter } from './request-limiter';
import type { ServiceRequest } from './service-caller';
import { ServiceApiErrors } from './service-api.exceptions';

/**
 * Dify's Service API authentication (`Authorization: Bearer app-…`), with its messages, then its
 * app checks in its order, then the app's requests-per-minute limit.
 */
@Injectable()
export class AppKeyGuard implements CanActivate {
  constructor(
    private readonly auth: AppKeyAuthService,
    private readonly limiter: RequestLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<ServiceRequest>();
    const header = req.headers.authorization;
    const space = header ? header.search(/\s/) : -1;
    if (!header || space < 0) throw ServiceApiErrors.missingBearer();
    if (header.slice(0, space).toLowerCase() !== 'bearer') throw ServiceApiErrors.wrongScheme();

    const resolved = await this.auth.resolve(header.slice(space).trim());
    if (!resolved) throw ServiceApiErrors.invalidToken();
    const { key, app } = usableApp(resolved);

    req.serviceCaller = { app, keyId: key.id };
    setRequestScope(req, { workspaceId: app.workspaceId, appId: app.id });
    this.auth.touch(key.id);
    await this.limiter.countRequest(app);
    return true;
  }
}
