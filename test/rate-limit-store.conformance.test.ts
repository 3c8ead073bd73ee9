// Runs the RateLimitStore conformance suite against the memory store and the Redis store (shared Redis).
import { memoryRateLimitStore } from '@tollgate/core';
import { redisRateLimitStore } from '@tollgate/redis';
import { describeRateLimitStoreConformance } from './conformance/rate-limit-store-conformance.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from './support/redis-server.js';

describeRateLimitStoreConformance('memoryRateLimitStore', async () => {
  const store = memoryRateLimitStore();
  return { store, cleanup: async () => store.close?.() };
});

if (await sharedRedisOrSkip('redisRateLimitStore conformance')) {
  describeRateLimitStoreConformance('redisRateLimitStore', async () => {
    const prefix = uniquePrefix('conformance');
    const store = redisRateLimitStore({ url: sharedRedisUrl, prefix });
    return {
      store,
      async cleanup() {
        await store.close?.();
        await deletePrefix(sharedRedisUrl, prefix);
      },
    };
  });
}
