import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { StorageService } from '@keel/storage';
import { DataSource, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { runInTransaction } from '../../database/transaction';
import { Conversation } from '../conversations/conversation.entity';
import { EndUser } from '../conversations/end-user.entity';
import { MessageFeedback } from '../conversations/message-feedback.entity';
import { Message } from '../conversations/message.entity';
import { UploadFile } from '../files/upload-file.entity';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';
import { ProviderRegistry } from '../providers/provider.registry';
import { AppApiKey } from './app-api-key.entity';
import { AppKeyCache } from './app-key.cache';
import type { AppModelConfig } from './app-model-config';
import { ToolManager } from '../tools/tool-manager.service';
import { App, type AppMode } from './app.entity';
import { slugOf, uniqueSlug } from './app-slug';
import { isUuid } from '../../common/validation/uuid';

export interface NewApp {
  name: string;
  mode: AppMode;
  description?: string;
  icon_type?: string;
  icon?: string | null;
  icon_background?: string | null;
}

export interface AppChanges {
  name?: string;
  description?: string;
  icon_type?: string;
  icon?: string | null;
  icon_background?: string | null;
  api_rpm?: number | null;
  api_max_active_requests?: number | null;
}

export interface AppListQuery {
  page: number;
  limit: number;
  mode?: AppMode | 'all';
  name?: string;
}

/** Which model modes can serve an app of each mode: any chat model can complete a prompt too. */
const MODEL_MODES_FOR: Partial<Record<AppMode, readonly string[]>> = {
  chat: ['chat'],
  'agent-chat': ['chat'],
  completion: ['completion', 'chat'],
};

/** `LIKE` pattern for a substring, with `!` escaping the wildcards (portable across the three databases). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Tries at a free slug when concurrent creations keep taking the one found. */
const SLUG_ATTEMPTS = 5;

/** Apps of a workspace: every lookup is scoped to it, so another workspace's app is simply not found. */
@Injectable()
export class AppsService {
  private readonly logger = new Logger(AppsService.name);

  constructor(
    @InjectRepository(App) private readonly apps: Repository<App>,
    private readonly dataSource: DataSource,
    private readonly registry: ProviderRegistry,
    private readonly providers: ProviderCredentialsService,
    private readonly storage: StorageService,
    private readonly keyCache: AppKeyCache,
    private readonly tools: ToolManager,
  ) {}

  /**
   * A new app; its model id (`slug`) comes from its name, numbered when the workspace already has
   * it. Two apps of the same name created at once race for the same slug: the unique index keeps
   * one, and the other tries the next number.
   */
  async create(workspaceId: string, accountId: string, input: NewApp): Promise<App> {
    for (let attempt = 1; ; attempt++) {
      const app = this.newApp(workspaceId, accountId, input, await this.freeSlug(workspaceId, slugOf(input.name)));
      try {
        // simple-json columns do not fit TypeORM's deep-partial type; the value is the entity itself.
        await this.apps.insert(app as QueryDeepPartialEntity<App>);
        return app;
      } catch (error) {
        const lostRace = attempt < SLUG_ATTEMPTS && (await this.apps.existsBy({ workspaceId, slug: app.slug }));
        if (!lostRace) throw error;
      }
    }
  }

  /** `base`, or the first of `base-2`, `base-3`… that no app of the workspace has. */
  private async freeSlug(workspaceId: string, base: string): Promise<string> {
    const rows = await this.apps
      .createQueryBuilder('app')
      .select('app.slug', 'slug')
      // Slugs hold only [a-z0-9-]: nothing to escape for LIKE.
      .where('app.workspaceId = :workspaceId AND (app.slug = :base OR app.slug LIKE :numbered)', {
        workspaceId,
        base,
        numbered: `${base}-%`,
      })
      .getRawMany<{ slug: string }>();
    return uniqueSlug(base, new Set(rows.map((row) => row.slug)));
  }

  private newApp(workspaceId: string, accountId: string, input: NewApp, slug: string): App {
    const now = new Date();
    return {
      id: randomUUID(),
      workspaceId,
      name: input.name,
      mode: input.mode,
      slug,
      description: input.description ?? '',
      iconType: input.icon_type ?? 'emoji',
      icon: input.icon ?? null,
      iconBackground: input.icon_background ?? null,
      status: 'normal',
      enableApi: true,
      apiRpm: null,
      apiMaxActiveRequests: null,
      modelConfig: null,
      createdBy: accountId,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** One page, newest first; `name` matches a case-insensitive substring. */
  async list(workspaceId: string, query: AppListQuery): Promise<{ rows: App[]; total: number }> {
    const qb = this.apps.createQueryBuilder('app').where('app.workspaceId = :workspaceId', { workspaceId });
    if (query.mode && query.mode !== 'all') qb.andWhere('app.mode = :mode', { mode: query.mode });
    if (query.name) qb.andWhere("LOWER(app.name) LIKE :pattern ESCAPE '!'", { pattern: containsPattern(query.name) });
    const [rows, total] = await qb
      .orderBy('app.createdAt', 'DESC')
      .addOrderBy('app.id', 'DESC')
      .skip((query.page - 1) * query.limit)
      .take(query.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** The workspace's app, or 404 `not_found` (also for an id that is not a UUID or belongs elsewhere). */
  async get(workspaceId: string, id: string): Promise<App> {
    const app = isUuid(id) ? await this.apps.findOneBy({ id, workspaceId }) : null;
    if (!app) throw new ApiException(404, 'not_found', 'App not found.');
    return app;
  }

  async update(workspaceId: string, id: string, changes: AppChanges): Promise<App> {
    const app = await this.get(workspaceId, id);
    if (changes.name !== undefined) app.name = changes.name;
    if (changes.description !== undefined) app.description = changes.description;
    if (changes.icon_type !== undefined) app.iconType = changes.icon_type;
    if (changes.icon !== undefined) app.icon = changes.icon;
    if (changes.icon_background !== undefined) app.iconBackground = changes.icon_background;
    if (changes.api_rpm !== undefined) app.apiRpm = changes.api_rpm;
    if (changes.api_max_active_requests !== undefined) app.apiMaxActiveRequests = changes.api_max_active_requests;
    app.updatedAt = new Date();
    await this.apps.update(
      { id: app.id, workspaceId },
      {
        name: app.name,
        description: app.description,
        iconType: app.iconType,
        icon: app.icon,
        iconBackground: app.iconBackground,
        apiRpm: app.apiRpm,
        apiMaxActiveRequests: app.apiMaxActiveRequests,
        updatedAt: app.updatedAt,
      },
    );
    this.keyCache.forgetApp(app.id);
    return app;
  }

  async setApiEnabled(workspaceId: string, id: string, enabled: boolean): Promise<App> {
    const app = await this.get(workspaceId, id);
    app.enableApi = enabled;
    app.updatedAt = new Date();
    await this.apps.update({ id: app.id, workspaceId }, { enableApi: enabled, updatedAt: app.updatedAt });
    this.keyCache.forgetApp(app.id);
    return app;
  }

  /**
   * Deletes the app with its messages, conversations, end users and keys, children first, in one
   * transaction: the foreign keys cascade too, but this does not depend on them.
   */
  async remove(workspaceId: string, id: string): Promise<App> {
    const app = await this.get(workspaceId, id);
    const uploads = await this.dataSource
      .getRepository(UploadFile)
      .find({ where: { appId: app.id }, select: { storageKey: true } });
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.delete(MessageFeedback, { appId: app.id });
      await manager.delete(UploadFile, { appId: app.id });
      await manager.delete(Message, { appId: app.id });
      await manager.delete(Conversation, { appId: app.id });
      await manager.delete(EndUser, { appId: app.id });
      await manager.delete(AppApiKey, { appId: app.id });
      await manager.delete(App, { id: app.id, workspaceId });
    });
    this.keyCache.forgetApp(app.id);
    // The rows are gone; their files go after, and one that lingers is only wasted space.
    for (const { storageKey } of uploads) {
      await this.storage.delete(storageKey).catch((error: unknown) => {
        this.logger.warn({ err: error, storageKey }, 'uploaded file of a deleted app not removed from storage');
      });
    }
    return app;
  }

  /** Every enabled tool of an agent app must exist in the workspace when the configuration is saved. */
  private async checkAgentTools(workspaceId: string, config: AppModelConfig): Promise<void> {
    const missing = (await this.tools.resolve(workspaceId, config.agent_mode.tools)).find((r) => !r.found);
    if (missing) {
      const { index, entry } = missing;
      throw new InvalidParamException(
        `agent_mode.tools.${index}`,
        `agent_mode.tools.${index}: no ${entry.provider_type} tool "${entry.tool_name}" in provider "${entry.provider_id}"`,
      );
    }
  }

  /**
   * Stores a model configuration after checking that the provider is configured in the workspace,
   * offers the model, and that the model's mode suits the app's.
   */
  async saveModelConfig(workspaceId: string, id: string, config: AppModelConfig): Promise<App> {
    const app = await this.get(workspaceId, id);
    const { provider, name, mode } = config.model;
    if (!(await this.registry.forWorkspace(workspaceId, provider))) {
      throw new InvalidParamException('model.provider', `model.provider: model provider "${provider}" does not exist`);
    }
    const allowed = MODEL_MODES_FOR[app.mode] ?? [];
    if (!allowed.includes(mode)) {
      throw new InvalidParamException('model.mode', `model.mode: a ${app.mode} app cannot use a ${mode} model`);
    }
    const offered = (await this.providers.models(workspaceId, provider)).find((m) => m.model === name);
    if (!offered) {
      throw new InvalidParamException('model.name', `model.name: provider "${provider}" offers no model "${name}"`);
    }
    if (!allowed.includes(offered.mode)) {
      throw new InvalidParamException(
        'model.name',
        `model.name: "${name}" is a ${offered.mode} model, which a ${app.mode} app cannot use`,
      );
    }
    if (app.mode === 'agent-chat') await this.checkAgentTools(workspaceId, config);
    app.modelConfig = config;
    app.updatedAt = new Date();
    await this.apps.update({ id: app.id, workspaceId }, {
      modelConfig: config,
      updatedAt: app.updatedAt,
    } as QueryDeepPartialEntity<App>);
    this.keyCache.forgetApp(app.id);
    return app;
  }
}
