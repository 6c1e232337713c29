import { WORKSPACE_KEY_CACHE_TTL_MS, WorkspaceKeyCache, type ResolvedWorkspaceKey } from './workspace-key.cache';

const resolved = (keyId: string): ResolvedWorkspaceKey =>
  ({ key: { id: keyId }, workspace: null }) as unknown as ResolvedWorkspaceKey;

describe('WorkspaceKeyCache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers from memory until the TTL passes', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new WorkspaceKeyCache();
    const value = resolved('k1');
    cache.set('h1', value);
    jest.setSystemTime(1_000_000 + WORKSPACE_KEY_CACHE_TTL_MS - 1);
    expect(cache.get('h1')).toBe(value);
    jest.setSystemTime(1_000_000 + WORKSPACE_KEY_CACHE_TTL_MS);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets one key, leaving the rest', () => {
    const cache = new WorkspaceKeyCache();
    cache.set('h1', resolved('k1'));
    cache.set('h2', resolved('k2'));
    cache.forgetKey('k1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.key.id).toBe('k2');
  });
});
