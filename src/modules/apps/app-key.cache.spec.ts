import { APP_KEY_CACHE_TTL_MS, AppKeyCache, type ResolvedKey } from './app-key.cache';

const resolved = (keyId: string, appId: string): ResolvedKey =>
  ({ key: { id: keyId, appId }, app: { id: appId }, workspace: null }) as unknown as ResolvedKey;

describe('AppKeyCache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers from memory until the TTL passes, then forgets', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new AppKeyCache();
    const value = resolved('k1', 'a1');
    cache.set('h1', value);
    jest.setSystemTime(1_000_000 + APP_KEY_CACHE_TTL_MS - 1);
    expect(cache.get('h1')).toBe(value);
    jest.setSystemTime(1_000_000 + APP_KEY_CACHE_TTL_MS);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets every key of an app, or one key, leaving the rest', () => {
    const cache = new AppKeyCache();
    cache.set('h1', resolved('k1', 'a1'));
    cache.set('h2', resolved('k2', 'a1'));
    cache.set('h3', resolved('k3', 'a2'));
    cache.forgetApp('a1');
    expect([cache.get('h1'), cache.get('h2')]).toEqual([undefined, undefined]);
    expect(cache.get('h3')?.key.id).toBe('k3');
    cache.forgetKey('k3');
    expect(cache.get('h3')).toBeUndefined();
  });

  it('stays bounded: a full cache starts over rather than growing', () => {
    const cache = new AppKeyCache();
    for (let i = 0; i < 10_000; i++) cache.set(`h${i}`, resolved(`k${i}`, 'a'));
    expect(cache.get('h0')).toBeDefined();
    cache.set('new', resolved('kn', 'a'));
    expect(cache.get('h0')).toBeUndefined();
    expect(cache.get('new')).toBeDefined();
  });
});
