import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, type Repository } from 'typeorm';
import { unixSeconds } from '../../common/http/unix-seconds';
import { App } from '../apps/app.entity';
import type { OpenAiCaller } from './openai-caller';
import { OpenAiErrors } from './openai.errors';

/** App modes this face runs (an agent app's tool steps stay inside; only its answer goes out). */
export const SERVED_MODES = ['chat', 'completion', 'agent-chat'] as const;
export type ServedMode = (typeof SERVED_MODES)[number];

function served(app: App): app is App & { mode: ServedMode } {
  return (SERVED_MODES as readonly string[]).includes(app.mode) && app.modelConfig !== null;
}

/**
 * Apps as OpenAI models: an app key sees its own app, a workspace key every app of its workspace
 * that is runnable (chat or completion, with a model), API-enabled and in its allowlist (when it
 * has one; an allowlisted app that was deleted is simply not there). The model id is the app's slug.
 */
@Injectable()
export class OpenAiModelsService {
  constructor(@InjectRepository(App) private readonly apps: Repository<App>) {}

  async list(caller: OpenAiCaller): Promise<App[]> {
    if (caller.kind === 'app') return served(caller.app) ? [caller.app] : [];
    const allowed = caller.key.appIds;
    if (allowed && allowed.length === 0) return [];
    return this.apps.find({
      where: {
        workspaceId: caller.workspace.id,
        status: 'normal',
        enableApi: true,
        mode: In([...SERVED_MODES]),
        modelConfig: Not(IsNull()),
        ...(allowed ? { id: In(allowed) } : {}),
      },
      order: { slug: 'ASC' },
    });
  }

  /** The app a request's `model` names, or 404 `model_not_found` — the field is never ignored. */
  async resolve(caller: OpenAiCaller, model: string): Promise<App & { mode: ServedMode }> {
    let app: App | null = null;
    if (caller.kind === 'app') {
      app = caller.app.slug === model ? caller.app : null;
    } else {
      const found = await this.apps.findOneBy({ workspaceId: caller.workspace.id, slug: model });
      const allowed = caller.key.appIds;
      if (found && found.status === 'normal' && found.enableApi && (!allowed || allowed.includes(found.id))) {
        app = found;
      }
    }
    if (!app || !served(app)) throw OpenAiErrors.modelNotFound(model);
    return app;
  }
}

/** OpenAI's model object. */
export function modelOf(app: App, ownedBy: string) {
  return { id: app.slug, object: 'model' as const, created: unixSeconds(app.createdAt), owned_by: ownedBy };
}
