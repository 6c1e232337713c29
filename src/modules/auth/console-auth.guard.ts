import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { setRequestScope } from '../../common/http/request-scope';
import { Account } from '../workspaces/account.entity';
import { WorkspaceMember } from '../workspaces/workspace-member.entity';
import { AccessTokenService } from './access-token.service';
import { UnauthorizedException } from './auth.exceptions';
import { type ConsoleCaller, type ConsoleRequest, isConsolePath } from './console-caller';
import { IS_PUBLIC } from './public.decorator';
import { isUnsafeMethod, SessionCookies } from './session-cookies';

/**
 * Global: every `/console/api` route needs a valid access token unless it is `@Public()`: either
 * `Authorization: Bearer …`, or the `access_token` cookie an SSO sign-in set. A cookie only counts
 * on an unsafe request (POST, PUT, PATCH, DELETE) that also sends the session's `X-CSRF-Token`;
 * without it the request is unauthenticated (401). The caller — account, current workspace, role —
 * is attached to the request. Other faces (/v1, /health, /metrics) have their own guards.
 */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
    private readonly cookies: SessionCookies,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    @InjectRepository(WorkspaceMember) private readonly members: Repository<WorkspaceMember>,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
    if (!isConsolePath(req.path)) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    const caller = await this.authenticate(req);
    if (caller) {
      req.consoleCaller = caller;
      // Error reports and audit records of this request name the workspace it acted in.
      setRequestScope(req, { accountId: caller.account.id, workspaceId: caller.workspaceId });
    }
    if (!isPublic && !caller) {
      throw new UnauthorizedException(
        this.csrfMissing(req) ? 'CSRF token missing or invalid.' : 'Invalid or missing access token.',
      );
    }
    return true;
  }

  /** A cookie-authenticated unsafe request without the session's CSRF token. */
  private csrfMissing(req: ConsoleRequest): boolean {
    return (
      !req.headers.authorization &&
      Boolean(this.cookies.accessToken(req)) &&
      isUnsafeMethod(req.method) &&
      !this.cookies.csrfValid(req)
    );
  }

  private async authenticate(req: ConsoleRequest): Promise<ConsoleCaller | undefined> {
    const token = this.bearerToken(req) ?? this.cookieToken(req);
    if (!token) return undefined;
    const claims = this.tokens.verify(token);
    if (!claims) return undefined;
    const account = await this.accounts.findOneBy({ id: claims.user_id });
    if (!account || account.status !== 'active' || account.tokenVersion !== claims.ver) return undefined;
    const membership = await this.currentMembership(account.id);
    return { account, workspaceId: membership?.workspaceId, role: membership?.role };
  }

  private bearerToken(req: ConsoleRequest): string | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const [scheme, token] = header.trim().split(/\s+/, 2);
    return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
  }

  /** Only when no Authorization header is sent, and on unsafe methods only with the CSRF token. */
  private cookieToken(req: ConsoleRequest): string | undefined {
    if (req.headers.authorization) return undefined;
    const token = this.cookies.accessToken(req);
    if (!token || (isUnsafeMethod(req.method) && !this.cookies.csrfValid(req))) return undefined;
    return token;
  }

  /** The membership marked current, or (after a removal) the oldest one, which becomes current. */
  private async currentMembership(accountId: string): Promise<WorkspaceMember | undefined> {
    const current = await this.members.findOneBy({ accountId, current: true });
    if (current) return current;
    const fallback = await this.members.findOne({ where: { accountId }, order: { createdAt: 'ASC' } });
    if (fallback) await this.members.update({ id: fallback.id }, { current: true });
    return fallback ?? undefined;
  }
}
