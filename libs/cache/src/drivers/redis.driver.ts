import Keyv from 'keyv';
import type { RedisCacheOptions } from '../cache.options';
import { IoredisKeyvStore } from './ioredis-keyv.store';

/** Shared by every replica, so an entry written by one is seen (and invalidated) by all. */
export function createRedisKeyv(options: RedisCacheOptions): Keyv {
  return new Keyv({ store: new IoredisKeyvStore(options.client, options.deploymentPrefix), namespace: 'cache' });
}
