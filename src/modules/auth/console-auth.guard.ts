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

/**
 * Global: every `/console/api` route needs a valid access token (`Authorization: Bearer …`)
 * unless it is `@Public()`. The caller — account, current workspace, role — is attached to the
 * request. Other faces (/v1, /health, /metrics) have their own guards.
 */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
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
    if (!isPublic && !caller) throw new UnauthorizedException('Invalid or missing access token.');
    return true;
  }

  private async authenticate(req: ConsoleRequest): Promise<ConsoleCaller | undefined> {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const [scheme, token] = header.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) return undefined;
    const claims = this.tokens.verify(token);
    if (!claims) return undefined;
    const account = await this.accounts.findOneBy({ id: claims.user_id });
    if (!account || account.status !== 'active' || account.tokenVersion !== claims.ver) return undefined;
    const membership = await this.currentMembership(account.id);
    return { account, workspaceId: membership?.workspaceId, role: membership?.role };
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
