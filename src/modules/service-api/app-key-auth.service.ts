import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppApiKey } from '../apps/app-api-key.entity';
import { APP_KEY_PREFIX, hashAppKey } from '../apps/app-api-key.token';
import { App } from '../apps/app.entity';
import { Workspace } from '../workspaces/workspace.entity';

export interface ResolvedKey {
  key: AppApiKey;
  app: App | null;
  workspace: Workspace | null;
}

// `last_used_at` is written at most this often per key, not on every request.
const TOUCH_INTERVAL_MS = 60_000;

/** Finds the app behind a Service API key (by its hash) and keeps `last_used_at` roughly current. */
@Injectable()
export class AppKeyAuthService {
  private readonly logger = new Logger(AppKeyAuthService.name);
  private readonly touched = new Map<string, number>();

  constructor(@InjectRepository(AppApiKey) private readonly keys: Repository<AppApiKey>) {}

  /** One query on the request path: the key with its app and workspace (either may be gone). */
  async resolve(token: string): Promise<ResolvedKey | undefined> {
    if (!token.startsWith(APP_KEY_PREFIX) || token.length > 128) return undefined;
    const row = await this.keys
      .createQueryBuilder('key')
      .leftJoinAndMapOne('key.app', App, 'app', 'app.id = key.app_id')
      .leftJoinAndMapOne('key.workspace', Workspace, 'workspace', 'workspace.id = app.workspace_id')
      .where('key.token_hash = :hash', { hash: hashAppKey(token) })
      .getOne();
    if (!row) return undefined;
    const { app, workspace, ...key } = row as AppApiKey & { app?: App; workspace?: Workspace };
    return { key: key as AppApiKey, app: app ?? null, workspace: workspace ?? null };
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
