// Redis and Postgres stores for the store conformance suites: on the shared servers (unique prefixes and schemas), or behind a server a test may stop.
import type { WritableKeyStore, WritableTenantStore } from '@tollgate/core';
import { postgresKeyStore, postgresTenantStore } from '@tollgate/postgres';
import { redisKeyStore, redisTenantStore } from '@tollgate/redis';
import { sharedPostgresUrl } from '../../packages/postgres/src/test-database.js';
import { freshSchema } from '../../packages/postgres/src/test-schema.js';
import { deletePrefix, sharedRedisUrl, startPrivateRedis, uniquePrefix } from './redis-server.js';
import { startBreakableProxy } from './tcp-proxy.js';

export { sharedPostgresUrl, freshSchema };

type Kind = 'key' | 'tenant';
/** The store a kind names, with the close() every driver-backed store has. */
type StoreOf<K extends Kind> = (K extends 'key' ? WritableKeyStore : WritableTenantStore) & { close(): Promise<void> };
const redisStore = <K extends Kind>(kind: K, url: string, prefix: string) =>
  (kind === 'key' ? redisKeyStore({ url, prefix }) : redisTenantStore({ url, prefix })) as unknown as Promise<StoreOf<K>>;
const postgresStore = <K extends Kind>(kind: K, url: string, schema: string) =>
  (kind === 'key' ? postgresKeyStore({ url, schema }) : postgresTenantStore({ url, schema })) as unknown as Promise<StoreOf<K>>;

/** A Redis store (key or tenant) under a unique prefix on the shared Redis, with peers on the same prefix. */
export async function sharedRedisSubject<K extends Kind>(kind: K) {
  const prefix = uniquePrefix(`${kind}-conformance`);
  const store = await redisStore(kind, sharedRedisUrl, prefix);
  return {
    store,
    peer: () => redisStore(kind, sharedRedisUrl, prefix),
    async cleanup() {
      await store.close();
      await deletePrefix(sharedRedisUrl, prefix);
    },
  };
}

/** A Redis store on a private redis-server that the outage test kills (SIGKILL) and starts again. */
export async function privateRedisSubject<K extends Kind>(kind: K) {
  const redis = await startPrivateRedis();
  const store = await redisStore(kind, redis.url, 'outage');
  return {
    store,
    peer: () => redisStore(kind, redis.url, 'outage'),
    outage: { stop: () => redis.kill(), start: () => redis.start() },
    async cleanup() {
      // The server goes even when the store fails to close.
      try {
        await store.close();
      } finally {
        await redis.stop();
      }
    },
  };
}

/** A Postgres store in a schema of its own on the shared PostgreSQL, with peers on their own pools. */
export async function sharedPostgresSubject<K extends Kind>(kind: K) {
  const { schema, drop } = await freshSchema(kind);
  const store = await postgresStore(kind, sharedPostgresUrl, schema);
  return {
    store,
    peer: () => postgresStore(kind, sharedPostgresUrl, schema),
    async cleanup() {
      await store.close();
      await drop();
    },
  };
}

/**
 * A Postgres store that reaches the shared PostgreSQL through a proxy the outage test cuts (every
 * connection closed, new ones refused) and restores: the database goes away for this store only.
 */
export async function cutPostgresSubject<K extends Kind>(kind: K) {
  const { schema, drop } = await freshSchema(`${kind}_outage`);
  const target = new URL(sharedPostgresUrl);
  const proxy = await startBreakableProxy(target.hostname, Number(target.port || 5432));
  const url = proxy.url(sharedPostgresUrl);
  const store = await postgresStore(kind, url, schema);
  return {
    store,
    peer: () => postgresStore(kind, url, schema),
    outage: { stop: () => proxy.cut(), start: () => proxy.restore() },
    async cleanup() {
      await store.close();
      await proxy.close();
      await drop();
    },
  };
}
