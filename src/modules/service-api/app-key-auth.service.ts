import { Injectable, Logger } from '@nestjs/common';
import { KeyUseRecorder } from '../../common/cache/key-use.recorder';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { FastReads } from '../../database/fast-reads';
import { AppApiKey } from '../apps/app-api-key.entity';
import { APP_KEY_PREFIX, hashAppKey } from '../apps/app-api-key.token';
import { AppKeyCache, type ResolvedKey } from '../apps/app-key.cache';
import { App } from '../apps/app.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { ServiceApiErrors } from './service-api.exceptions';

/** Finds the app behind a Service API key (by its hash) and keeps `last_used_at` roughly current. */
@Injectable()
export class AppKeyAuthService {
  private readonly logger = new Logger(AppKeyAuthService.name);
  private readonly uses = new KeyUseRecorder(
    (id, at) => this.keys.update({ id }, { lastUsedAt: at }),
    this.logger,
    'API key',
  );

  private readonly reads: FastReads;

  constructor(
    @InjectRepository(AppApiKey) private readonly keys: Repository<AppApiKey>,
    private readonly cache: AppKeyCache,
    dataSource: DataSource,
  ) {
    this.reads = new FastReads(dataSource);
  }

  /**
   * The key with its app and workspace (either may be gone): from the cache, else one prepared
   * join, as every /v1 call pays it.
   */
  async resolve(token: string): Promise<ResolvedKey | undefined> {
    if (!token.startsWith(APP_KEY_PREFIX) || token.length > 128) return undefined;
    const hash = hashAppKey(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const found = await this.reads.one(
      'app-key',
      [
        { entity: AppApiKey, alias: 'k' },
        { entity: App, alias: 'a' },
        { entity: Workspace, alias: 'w' },
      ],
      'app_api_keys k LEFT JOIN apps a ON a.id = k.app_id LEFT JOIN workspaces w ON w.id = a.workspace_id',
      'k.token_hash = :value',
      hash,
    );
    if (!found) return undefined;
    const [key, app, workspace] = found as [AppApiKey, App | null, Workspace | null];
    const resolved = { key, app, workspace };
    this.cache.set(hash, resolved);
    return resolved;
  }

  /** Records the key's use (`last_used_at`, at most once a minute per key). */
  touch(keyId: string): void {
    this.uses.record(keyId);
  }
}

/** The key's app, if it may serve API calls: Dify's checks, in its order (403s). */
export function usableApp(resolved: ResolvedKey): ResolvedKey & { app: App; workspace: Workspace } {
  const { app, workspace } = resolved;
  if (!app) throw ServiceApiErrors.appNotFound();
  if (app.status !== 'normal') throw ServiceApiErrors.appAbnormal();
  if (!app.enableApi) throw ServiceApiErrors.apiDisabled();
  if (!workspace || workspace.status !== 'normal') throw ServiceApiErrors.workspaceArchived();
  return { ...resolved, app, workspace };
}
