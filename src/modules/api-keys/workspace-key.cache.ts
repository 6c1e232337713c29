import { Injectable } from '@nestjs/common';
import { TtlMemoryCache } from '../../common/cache/ttl-memory.cache';
import type { Workspace } from '../workspaces/workspace.entity';
import type { WorkspaceApiKey } from './workspace-api-key.entity';

/** A workspace key with its workspace (null if that is gone). */
export interface ResolvedWorkspaceKey {
  key: WorkspaceApiKey;
  workspace: Workspace | null;
}

/** How long a resolved key is trusted without a database read; also how late other replicas see a deletion. */
export const WORKSPACE_KEY_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Workspace keys resolved in the last few seconds, by token hash, for the same reason as
 * `AppKeyCache`: every OpenAI-compatible request authenticates. A key deleted through this
 * process is dropped at once; other replicas stop accepting it within
 * `WORKSPACE_KEY_CACHE_TTL_MS`. Unknown tokens are never cached.
 */
@Injectable()
export class WorkspaceKeyCache extends TtlMemoryCache<ResolvedWorkspaceKey> {
  constructor() {
    super(WORKSPACE_KEY_CACHE_TTL_MS, MAX_ENTRIES);
  }

  forgetKey(keyId: string): void {
    this.deleteWhere((value) => value.key.id === keyId);
  }
}
