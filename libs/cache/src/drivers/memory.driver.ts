import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import type { MemoryCacheOptions } from '../cache.options';

/**
 * In-process and bounded: Keyv keeps expiry in the stored value, the LRU caps memory. Each
 * replica has its own copy, which is why Redis becomes the default as soon as it is configured.
 */
export function createMemoryKeyv(options: MemoryCacheOptions): Keyv {
  return new Keyv({ store: new LRUCache<string, object | string>({ max: options.maxItems }), namespace: 'cache' });
}
