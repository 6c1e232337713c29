import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiException } from '../../common/errors/api.exception';
import type { Account } from '../workspaces/account.entity';
import type { ConsoleRequest, WorkspaceCaller } from './console-caller';
import { UnauthorizedException } from './auth.exceptions';

export type { WorkspaceCaller } from './console-caller';

function callerOf(ctx: ExecutionContext) {
  const caller = ctx.switchToHttp().getRequest<ConsoleRequest>().consoleCaller;
  if (!caller) throw new UnauthorizedException();
  return caller;
}

/** The authenticated caller with its current workspace (403 if it belongs to none). */
export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): WorkspaceCaller => {
  const caller = callerOf(ctx);
  if (!caller.workspaceId || !caller.role) {
    throw new ApiException(403, 'account_not_link_tenant', 'The account does not belong to any workspace.');
  }
  return caller as WorkspaceCaller;
});

/** The authenticated caller, whether or not it belongs to a workspace. */
export const AnyCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext) => callerOf(ctx));

/** The authenticated account. */
export const CurrentAccount = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Account => callerOf(ctx).account,
);
