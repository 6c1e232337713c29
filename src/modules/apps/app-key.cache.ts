import { Injectable } from '@nestjs/common';
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
export class AppKeyCache {
  private readonly entries = new Map<string, { value: ResolvedKey; expires: number }>();

  get(tokenHash: string): ResolvedKey | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    this.entries.delete(tokenHash);
    return undefined;
  }

  set(tokenHash: string, value: ResolvedKey): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(tokenHash, { value, expires: Date.now() + APP_KEY_CACHE_TTL_MS });
  }

  forgetApp(appId: string): void {
    for (const [hash, { value }] of this.entries) if (value.key.appId === appId) this.entries.delete(hash);
  }

  forgetKey(keyId: string): void {
    for (const [hash, { value }] of this.entries) if (value.key.id === keyId) this.entries.delete(hash);
  }
}
