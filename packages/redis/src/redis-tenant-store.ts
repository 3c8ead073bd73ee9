// TenantStore on Redis: tenants as JSON with an ordered id index, changes announced over pub/sub to every instance.
import { parseTenantRecord, type Tenant, type TenantChange, type WritableTenantStore } from '@tollgate/core';
import { RedisChangeFeed } from './redis-change-feed.js';
import { openRedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { checkedPrefix } from './redis-prefix.js';
import { deleteTenantScript, putTenantScript } from './redis-tenant-scripts.js';

/** Options of {@link redisTenantStore}. */
export interface RedisTenantStoreOptions extends RedisConnectionOptions {
  /** Start of every key, inside a Redis Cluster hash tag (`{tg-tenants}:t:…`), and of the change channel. @default 'tg-tenants' */
  readonly prefix?: string;
}

/** A Redis-backed tenant store; `close()` ends its subscriber and any client it made. */
export interface RedisTenantStore extends WritableTenantStore {
  /** Whether changes from other instances are arriving right now. */
  readonly live: boolean;
  close(): Promise<void>;
}

interface TenantScripts {
  tollgateTenantPut(...args: string[]): Promise<number>;
  tollgateTenantDelete(...args: string[]): Promise<number>;
}

const batchSize = 500;

/**
 * A tenant store every instance shares: suspending a tenant or changing its limits on one instance (or
 * with `tollgate tenants suspend`) reaches every instance's resolveTenant cache at once. Tenants are
 * validated on the way in and on the way out. The factory rejects with a `StoreConnectionError` naming
 * the URL (never the password) when Redis cannot be reached.
 *
 * @example
 * import { redisTenantStore } from '@tollgate/redis';
 * const tenants = await redisTenantStore({ url: process.env.REDIS_URL });
 * const tg = gate({ authenticate, resolveTenant: resolveTenant({ store: tenants }) });
 */
export async function redisTenantStore(options: RedisTenantStoreOptions): Promise<RedisTenantStore> {
  const prefix = checkedPrefix(options?.prefix, 'tg-tenants', 'redisTenantStore');
  const connection = await openRedisConnection(options, 'redisTenantStore');
  let feed: RedisChangeFeed;
  try {
    feed = await RedisChangeFeed.open(connection, `{${prefix}}:changes`, (error) => options.onError?.(error));
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { client } = connection;
  client.defineCommand('tollgateTenantPut', { lua: putTenantScript, numberOfKeys: 2 });
  client.defineCommand('tollgateTenantDelete', { lua: deleteTenantScript, numberOfKeys: 2 });
  const scripts = client as unknown as TenantScripts;
  const tag = `{${prefix}}`;
  const tenantKey = (id: string) => `${tag}:t:${id}`;
  const allIds = `${tag}:ids`;
  const read = (id: string, json: string | null): Tenant | undefined => (json === null ? undefined : parseTenantRecord(JSON.parse(json), `Redis key ${tenantKey(id)}`));

  return {
    get live() {
      return feed.live;
    },
    async get(tenantId) {
      return read(tenantId, await client.get(tenantKey(tenantId)));
    },
    async put(tenant) {
      const checked = parseTenantRecord(tenant, 'redisTenantStore.put()');
      const announcement = feed.announce(checked.id, 'upsert');
      await scripts.tollgateTenantPut(tenantKey(checked.id), allIds, checked.id, JSON.stringify(checked), feed.channel, announcement.text).catch((error: unknown) => {
        announcement.cancel();
        throw error;
      });
      feed.emit({ id: checked.id, type: 'upsert' });
      await announcement.delivered();
    },
    async delete(tenantId) {
      const announcement = feed.announce(tenantId, 'delete');
      const existed = (await scripts.tollgateTenantDelete(tenantKey(tenantId), allIds, tenantId, feed.channel, announcement.text).catch((error: unknown) => {
        announcement.cancel();
        throw error;
      })) === 1;
      if (!existed) {
        announcement.cancel();
        return false;
      }
      feed.emit({ id: tenantId, type: 'delete' });
      await announcement.delivered();
      return true;
    },
    async list() {
      const ids = await client.zrange(allIds, 0, -1);
      const tenants: Tenant[] = [];
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        const jsons = await client.mget(chunk.map(tenantKey));
        chunk.forEach((id, j) => {
          const tenant = read(id, jsons[j] ?? null);
          if (tenant !== undefined) tenants.push(tenant);
        });
      }
      return tenants;
    },
    watch(listener: (change: TenantChange) => void) {
      return feed.subscribe((change) => listener({ tenantId: change.id, type: change.type }));
    },
    async close() {
      await connection.close();
    },
  };
}
