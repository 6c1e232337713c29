import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { WorkspaceApiKey } from '../api-keys/workspace-api-key.entity';
import type { App } from '../apps/app.entity';
import type { Workspace } from '../workspaces/workspace.entity';

/** Who called the OpenAI-compatible API: an app key (one app) or a workspace key (its apps). */
export type OpenAiCaller =
  | { kind: 'app'; workspace: Workspace; app: App; keyId: string }
  | { kind: 'workspace'; workspace: Workspace; key: WorkspaceApiKey };

export type OpenAiRequest = Request & { openAiCaller?: OpenAiCaller };

export const CurrentOpenAiCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): OpenAiCaller => {
  const caller = ctx.switchToHttp().getRequest<OpenAiRequest>().openAiCaller;
  // Only reachable on a route without OpenAiKeyGuard: a programming error, not a client's.
  if (!caller) throw new Error('@CurrentOpenAiCaller() used on a route without OpenAiKeyGuard');
  return caller;
});

/** The key's id, for the default end user and logs (never the key itself). */
export function keyIdOf(caller: OpenAiCaller): string {
  return caller.kind === 'app' ? caller.keyId : caller.key.id;
}
