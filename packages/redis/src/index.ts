// @tollgate/redis: Redis-backed stores: rate limits (one round trip per request, exact across instances), keys and tenants (changes over pub/sub).
export { redisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { connectRedisRateLimitStore, type ConnectRedisRateLimitStoreOptions } from './connect-redis-rate-limit-store.js';
export { redisKeyStore, type RedisKeyStore, type RedisKeyStoreOptions } from './redis-key-store.js';
export { redisTenantStore, type RedisTenantStore, type RedisTenantStoreOptions } from './redis-tenant-store.js';
export { RedisChangeFeed, type FeedChange } from './redis-change-feed.js';
export type { RedisConnectionOptions } from './redis-connection.js';
