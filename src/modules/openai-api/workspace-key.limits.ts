import type { WorkspaceApiKey } from '../api-keys/workspace-api-key.entity';
import type { LimitSubject } from '../service-api/request-limiter';

/** A workspace API key's own limits (unset = none); the apps it calls keep theirs as well. */
export function workspaceKeyLimits(key: WorkspaceApiKey): LimitSubject {
  return {
    id: key.id,
    rpm: key.rpm ?? 0,
    maxActive: key.maxConcurrentRequests ?? 0,
    rpmMessage: (rpm) => `this API key allows ${rpm} requests per minute`,
    activeMessage: (max) =>
      `Too many concurrent requests: this API key allows ${max} at a time. Please try again later.`,
  };
}
