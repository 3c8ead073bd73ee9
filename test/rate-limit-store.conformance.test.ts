// Runs the RateLimitStore conformance suite against the memory, Redis and Postgres stores, and the outage suite against a Redis and a Postgres that go away.
import { memoryRateLimitStore } from '@tollgate/core';
import { postgresRateLimitStore } from '@tollgate/postgres';
import { connectRedisRateLimitStore, redisRateLimitStore } from '@tollgate/redis';
import { describeRateLimitStoreConformance } from './conformance/rate-limit-store-conformance.js';
import { describeRateLimitStoreOutage } from './conformance/rate-limit-store-outage.js';
import { sharedPostgresOrSkip } from '../packages/postgres/src/test-database.js';
import { freshSchema, sharedPostgresUrl } from './support/store-servers.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, startPrivateRedis, uniquePrefix } from './support/redis-server.js';
import { startBreakableProxy } from './support/tcp-proxy.js';

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
  // A private redis-server, killed (SIGKILL) and started again.
  describeRateLimitStoreOutage('redisRateLimitStore', async () => {
    const redis = await startPrivateRedis();
    const store = await connectRedisRateLimitStore({ url: redis.url, prefix: 'outage', redisOptions: { retryStrategy: () => 100 } });
    return {
      store,
      outage: { stop: () => redis.kill(), start: () => redis.start() },
      async cleanup() {
        try {
          await store.close();
        } finally {
          await redis.stop();
        }
      },
    };
  });
}

if (await sharedPostgresOrSkip('postgresRateLimitStore conformance')) {
  describeRateLimitStoreConformance('postgresRateLimitStore', async () => {
    const { schema, drop } = await freshSchema('rate_limits');
    // Room for the 300 concurrent reservations of the burst test to contend for the same rows.
    const store = await postgresRateLimitStore({ url: sharedPostgresUrl, schema, maxConnections: 10 });
    return {
      store,
      async cleanup() {
        await store.close();
        await drop();
      },
    };
  });
}

if (await sharedPostgresOrSkip('postgresRateLimitStore outage conformance')) {
  // The shared PostgreSQL reached through a proxy that cuts every connection and refuses new ones, then lets them in again.
  describeRateLimitStoreOutage('postgresRateLimitStore', async () => {
    const { schema, drop } = await freshSchema('rate_limit_outage');
    const target = new URL(sharedPostgresUrl);
    const proxy = await startBreakableProxy(target.hostname, Number(target.port || 5432));
    const store = await postgresRateLimitStore({ url: proxy.url(sharedPostgresUrl), schema, connectTimeoutMs: 1_000 });
    return {
      store,
      outage: { stop: () => proxy.cut(), start: () => proxy.restore() },
      async cleanup() {
        await store.close();
        await proxy.close();
        await drop();
      },
    };
  });
}
