import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { FastReads } from '../../database/fast-reads';
import { AppApiKey } from '../apps/app-api-key.entity';
import { APP_KEY_PREFIX, hashAppKey } from '../apps/app-api-key.token';
import { AppKeyCache, type ResolvedKey } from '../apps/app-key.cache';
import { App } from '../apps/app.entity';
import { Workspace } from '../workspaces/workspace.entity';

// `last_used_at` is written at most this often per key, not on every request.
const TOUCH_INTERVAL_MS = 60_000;

/** Finds the app behind a Service API key (by its hash) and keeps `last_used_at` roughly current. */
@Injectable()
export class AppKeyAuthService {
  private readonly logger = new Logger(AppKeyAuthService.name);
  private readonly touched = new Map<string, number>();

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

  /** Records use without a write per request; a failed write is logged, never the caller's problem. */
  touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.touched.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.touched.set(keyId, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.keys.update({ id: keyId }, { lastUsedAt: new Date(now) }).catch((error: unknown) => {
      this.logger.warn({ err: error, keyId }, 'could not record API key use');
    });
  }
}
