import { AuthStateStore } from './auth-state.store';

describe('AuthStateStore in memory', () => {
  afterEach(() => jest.useRealTimers());

  it('counts within a window that starts at the first increment, then starts over', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const store = new AuthStateStore();
    expect(store.backend).toBe('memory');
    expect(await store.increment('k', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    jest.setSystemTime(1_030_000);
    expect(await store.increment('k', 60_000)).toEqual({ count: 2, resetInMs: 30_000 });
    expect(await store.count('k')).toEqual({ count: 2, resetInMs: 30_000 });
    jest.setSystemTime(1_060_000);
    expect(await store.count('k')).toEqual({ count: 0, resetInMs: 0 });
    expect((await store.increment('k', 60_000)).count).toBe(1);
  });

  it('keeps values until their lifetime ends, or until deleted', async () => {
    jest.useFakeTimers({ now: 0 });
    const store = new AuthStateStore();
    await store.set('a', 'x', 1_000);
    await store.set('b', 'y', 1_000);
    expect(await store.get('a')).toBe('x');
    await store.delete('b');
    expect(await store.get('b')).toBeNull();
    jest.setSystemTime(1_000);
    expect(await store.get('a')).toBeNull();
  });
});
