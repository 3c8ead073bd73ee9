// @tollgate/redis: Redis-backed stores; today the rate-limit store (one round trip per request, exact across instances).
export { redisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { redisKeyStore, type RedisKeyStore, type RedisKeyStoreOptions } from './redis-key-store.js';
export { redisTenantStore, type RedisTenantStore, type RedisTenantStoreOptions } from './redis-tenant-store.js';
export { RedisChangeFeed, type FeedChange } from './redis-change-feed.js';
export type { RedisConnectionOptions } from './redis-connection.js';
