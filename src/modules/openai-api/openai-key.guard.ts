import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { setRequestScope } from '../../common/http/request-scope';
import { WORKSPACE_KEY_PREFIX } from '../api-keys/workspace-api-key.token';
import { WorkspaceApiKeysService } from '../api-keys/workspace-api-keys.service';
import { APP_KEY_PREFIX } from '../apps/app-api-key.token';
import { AppKeyAuthService, usableApp } from '../service-api/app-key-auth.service';
import { RequestLimiter } from '../service-api/request-limiter';
import { ServiceApiErrors } from '../service-api/service-api.exceptions';
import type { OpenAiRequest } from './openai-caller';
import { OpenAiErrors } from './openai.errors';
import { workspaceKeyLimits } from './workspace-key.limits';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * OpenAI's authentication (`Authorization: Bearer <key>`) with either kind of Keel key: an app
 * key (`app-…`, the Service API's own, for its one app) or a workspace API key (`sk-keel-…`, for
 * the workspace's apps it allows). Counts the request against the key's per-minute limit: the
 * app's for an app key, the key's own for a workspace key (the app's is counted when a request
 * names it).
 */
@Injectable()
export class OpenAiKeyGuard implements CanActivate {
  constructor(
    private readonly appKeys: AppKeyAuthService,
    private readonly workspaceKeys: WorkspaceApiKeysService,
    private readonly limiter: RequestLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<OpenAiRequest>();
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw OpenAiErrors.missingKey();
    if (token.startsWith(APP_KEY_PREFIX)) await this.byAppKey(req, token);
    else if (token.startsWith(WORKSPACE_KEY_PREFIX)) await this.byWorkspaceKey(req, token);
    else throw OpenAiErrors.invalidKey();
    return true;
  }

  private async byAppKey(req: OpenAiRequest, token: string): Promise<void> {
    const resolved = await this.appKeys.resolve(token);
    if (!resolved) throw OpenAiErrors.invalidKey();
    const { key, app, workspace } = usableApp(resolved);
    req.openAiCaller = { kind: 'app', workspace, app, keyId: key.id };
    setRequestScope(req, { workspaceId: app.workspaceId, appId: app.id });
    this.appKeys.touch(key.id);
    await this.limiter.countRequest(app);
  }

  private async byWorkspaceKey(req: OpenAiRequest, token: string): Promise<void> {
    const resolved = await this.workspaceKeys.resolve(token);
    if (!resolved) throw OpenAiErrors.invalidKey();
    const { key, workspace } = resolved;
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw OpenAiErrors.expiredKey();
    if (!workspace || workspace.status !== 'normal') throw ServiceApiErrors.workspaceArchived();
    req.openAiCaller = { kind: 'workspace', workspace, key };
    setRequestScope(req, { workspaceId: workspace.id });
    this.workspaceKeys.touch(key.id);
    await this.limiter.count(workspaceKeyLimits(key));
  }
}
