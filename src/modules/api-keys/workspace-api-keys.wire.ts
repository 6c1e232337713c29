import { unixSeconds } from '../../common/http/unix-seconds';
import type { WorkspaceApiKey } from './workspace-api-key.entity';
import { maskedWorkspaceKey } from './workspace-api-key.token';

/**
 * A workspace key as the console shows it: masked (`sk-keel-****abcd`), or with the whole key in
 * `token` in the answer to its creation only. Timestamps in Unix seconds.
 */
export function workspaceApiKeyOf(key: WorkspaceApiKey, wholeToken?: string) {
  return {
    id: key.id,
    name: key.name,
    token: wholeToken ?? maskedWorkspaceKey(key.tokenTail),
    app_ids: key.appIds,
    expires_at: unixSeconds(key.expiresAt),
    rpm: key.rpm,
    max_concurrent_requests: key.maxConcurrentRequests,
    last_used_at: unixSeconds(key.lastUsedAt),
    created_at: unixSeconds(key.createdAt),
    created_by: key.createdBy,
  };
}
