import { Injectable } from '@nestjs/common';
import { TtlMemoryCache } from '../../common/cache/ttl-memory.cache';
import type { Workspace } from '../workspaces/workspace.entity';
import type { AppApiKey } from './app-api-key.entity';
import type { App } from './app.entity';

/** An app key with its app and workspace (either may be gone). */
export interface ResolvedKey {
  key: AppApiKey;
  app: App | null;
  workspace: Workspace | null;
}

/** How long a resolved key is trusted without a database read; also how late other replicas see a change. */
export const APP_KEY_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * App keys resolved in the last few seconds, by token hash. Every /v1 call authenticates, and the
 * lookup was one database round trip per request (on PostgreSQL the largest single cost after the
 * model call in the chat benchmark). Changes made through this process — a key deleted, an app
 * updated, disabled, reconfigured or deleted — drop the affected entries at once; other replicas
 * see them within `APP_KEY_CACHE_TTL_MS`, as they see provider credential changes. Unknown
 * tokens are never cached.
 */
@Injectable()
export class AppKeyCache extends TtlMemoryCache<ResolvedKey> {
  constructor() {
    super(APP_KEY_CACHE_TTL_MS, MAX_ENTRIES);
  }

  forgetApp(appId: string): void {
    this.deleteWhere((value) => value.key.appId === appId);
  }

  forgetKey(keyId: string): void {
    this.deleteWhere((value) => value.key.id === keyId);
  }
}
