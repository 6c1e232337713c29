import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiException } from '../../common/errors/api.exception';
import { type RequiredRole, roleSatisfies } from '../workspaces/workspace-role';
import type { ConsoleRequest } from './console-caller';
import { ForbiddenException, UnauthorizedException } from './auth.exceptions';

export const REQUIRED_ROLE = 'keel:required-role';

/** Runs after the global authentication guard: 403 when the caller's role is not enough. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<RequiredRole | undefined>(REQUIRED_ROLE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!required) return true;
    const caller = ctx.switchToHttp().getRequest<ConsoleRequest>().consoleCaller;
    if (!caller) throw new UnauthorizedException();
    if (!caller.role) {
      throw new ApiException(403, 'account_not_link_tenant', 'The account does not belong to any workspace.');
    }
    if (!roleSatisfies(caller.role, required)) throw new ForbiddenException();
    return true;
  }
}
