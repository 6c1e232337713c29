export { RedisModule } from './redis.module';
export { REDIS_MODULE_OPTIONS } from './redis.module-definition';
export type {
  ClusterRedisOptions,
  RedisModuleOptions,
  RedisNode,
  SentinelRedisOptions,
  SingleRedisOptions,
} from './redis.options';
export type { RedisClient, RedisConnectionRole } from './drivers/redis-driver';
export { RedisService } from './redis.service';
export { RedisHealthIndicator } from './redis.health';
