// KeyStore on Redis: records as JSON, ordered id indexes per tenant, atomic compare-and-set writes, changes over pub/sub.
import {
  applyKeyRecordPatch,
  latestUses,
  parseKeyRecord,
  parseKeyRecordPatch,
  type KeyChange,
  type KeyListFilter,
  type KeyRecord,
  type KeyRecordPatch,
  type WritableKeyStore,
} from '@tollgate/core';
import { RedisChangeFeed } from './redis-change-feed.js';
import { openRedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { readKeyScript, touchKeysScript, writeKeyScript } from './redis-key-scripts.js';
import { checkedPrefix } from './redis-prefix.js';

/** Options of {@link redisKeyStore}. */
export interface RedisKeyStoreOptions extends RedisConnectionOptions {
  /**
   * Start of every key, inside a Redis Cluster hash tag (`{tg-keys}:k:…`), and of the change channel.
   * Stores that share a prefix share their keys. @default 'tg-keys'
   */
  readonly prefix?: string;
}

/** A Redis-backed key store; `close()` ends its subscriber and any client it made. */
export interface RedisKeyStore extends WritableKeyStore {
  /** Whether changes from other instances are arriving right now (the subscriber is connected). */
  readonly live: boolean;
  close(): Promise<void>;
}

interface KeyScripts {
  tollgateKeyWrite(...args: string[]): Promise<[number, number?]>;
  tollgateKeyTouch(...args: string[]): Promise<number>;
  tollgateKeyRead(...args: string[]): Promise<[string | null, string | null]>;
}

const maxAttempts = 20;
const batchSize = 500;

/** `<ms>|<ISO>` from the last-use hash, as the ISO text. */
function lastUseText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const bar = value.indexOf('|');
  return bar < 0 ? undefined : value.slice(bar + 1);
}

/**
 * A key store every instance of an app shares. Writes are compare-and-set Lua scripts that also keep a
 * sorted id index per tenant and publish the change, so `watch` hears every instance's writes and a
 * revocation drops cached verifications everywhere at once. Last-use times live in one hash, written in
 * batches by `touch` with no event. The factory connects and rejects with a `StoreConnectionError`
 * naming the URL (never the password) when Redis cannot be reached; after that, failures reject the
 * call (the apiKey method answers 503) and the clients reconnect on their own.
 *
 * @example
 * import { redisKeyStore } from '@tollgate/redis';
 * const keys = await redisKeyStore({ url: process.env.REDIS_URL });
 * const tg = gate({ authenticate: { methods: [apiKey({ store: keys })] } });
 */
export async function redisKeyStore(options: RedisKeyStoreOptions): Promise<RedisKeyStore> {
  const prefix = checkedPrefix(options?.prefix, 'tg-keys', 'redisKeyStore');
  const connection = await openRedisConnection(options, 'redisKeyStore');
  const onError = (error: Error) => options.onError?.(error);
  let feed: RedisChangeFeed;
  try {
    feed = await RedisChangeFeed.open(connection, `{${prefix}}:changes`, onError);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { client } = connection;
  client.defineCommand('tollgateKeyWrite', { lua: writeKeyScript, numberOfKeys: 5 });
  client.defineCommand('tollgateKeyTouch', { lua: touchKeysScript });
  client.defineCommand('tollgateKeyRead', { lua: readKeyScript, numberOfKeys: 2 });
  const scripts = client as unknown as KeyScripts;
  const tag = `{${prefix}}`;
  const recordKey = (id: string) => `${tag}:k:${id}`;
  const allIds = `${tag}:ids`;
  const tenantIds = (tenantId: string) => `${tag}:t:${tenantId}`;
  const lastUse = `${tag}:last-used`;
  const where = (id: string) => `Redis key ${recordKey(id)}`;

  const read = (id: string, json: string | null, used: string | null | undefined): KeyRecord | undefined => {
    if (json === null) return undefined;
    const record = parseKeyRecord(JSON.parse(json), where(id));
    const lastUsedAt = lastUseText(used);
    return lastUsedAt === undefined ? record : { ...record, lastUsedAt };
  };

  /** One compare-and-set attempt loop: `next` maps the current record to the new one (undefined deletes). */
  async function writeRecord(id: string, next: (current: KeyRecord | undefined) => { record: KeyRecord | undefined; lastUse: 'keep' | 'set' | 'del' } | 'skip'): Promise<{ before: KeyRecord | undefined; after: KeyRecord | undefined } | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const [json, used] = await scripts.tollgateKeyRead(recordKey(id), lastUse, id);
      const current = read(id, json, used);
      const change = next(current);
      if (change === 'skip') return undefined;
      const { lastUsedAt, ...stored } = change.record ?? ({} as Partial<KeyRecord>);
      const newJson = change.record === undefined ? '' : JSON.stringify(stored);
      const oldTenant = current?.tenantId;
      const newTenant = change.record?.tenantId;
      const type = change.record === undefined ? 'delete' : 'upsert';
      const announcement = feed.announce(id, type);
      const [ok] = await scripts.tollgateKeyWrite(
        recordKey(id), allIds, oldTenant === undefined ? allIds : tenantIds(oldTenant), newTenant === undefined ? allIds : tenantIds(newTenant), lastUse,
        json ?? '', newJson, id, oldTenant === undefined ? '0' : '1', newTenant === undefined ? '0' : '1',
        change.lastUse, lastUsedAt === undefined ? '' : `${Date.parse(lastUsedAt)}|${lastUsedAt}`, feed.channel, announcement.text,
      ).catch((error: unknown) => {
        announcement.cancel();
        throw error;
      });
      if (ok === 1) {
        feed.emit({ id, type });
        await announcement.delivered();
        return { before: current, after: change.record };
      }
      announcement.cancel();
    }
    throw new Error(`redisKeyStore: key ${id} changed under ${maxAttempts} attempts to write it; giving up`);
  }

  async function list(filter: KeyListFilter = {}): Promise<KeyRecord[]> {
    const ids = await client.zrange(filter.tenantId === undefined ? allIds : tenantIds(filter.tenantId), 0, -1);
    const records: KeyRecord[] = [];
    for (let i = 0; i < ids.length; i += batchSize) {
      const chunk = ids.slice(i, i + batchSize);
      const [jsons, used] = await Promise.all([client.mget(chunk.map(recordKey)), client.hmget(lastUse, ...chunk)]);
      chunk.forEach((id, j) => {
        // Deleted between the index read and this one: not listed.
        const record = read(id, jsons[j] ?? null, used[j]);
        if (record !== undefined && (filter.tenantId === undefined || record.tenantId === filter.tenantId)) records.push(record);
      });
    }
    return records;
  }

  return {
    get live() {
      return feed.live;
    },
    async get(keyId) {
      const [json, used] = await scripts.tollgateKeyRead(recordKey(keyId), lastUse, keyId);
      return read(keyId, json, used);
    },
    async put(record) {
      const checked = parseKeyRecord(record, 'redisKeyStore.put()');
      await writeRecord(checked.id, () => ({ record: checked, lastUse: checked.lastUsedAt === undefined ? 'del' : 'set' }));
    },
    async delete(keyId) {
      const result = await writeRecord(keyId, (current) => (current === undefined ? 'skip' : { record: undefined, lastUse: 'del' }));
      return result !== undefined;
    },
    list,
    async patch(keyId, patch: KeyRecordPatch) {
      const checked = parseKeyRecordPatch(patch, 'redisKeyStore.patch()');
      const result = await writeRecord(keyId, (current) => (current === undefined ? 'skip' : { record: applyKeyRecordPatch(current, checked), lastUse: 'keep' }));
      return result?.after;
    },
    async touch(uses) {
      const latest = latestUses(uses);
      for (let i = 0; i < latest.length; i += batchSize) {
        const chunk = latest.slice(i, i + batchSize);
        const args = chunk.flatMap(({ keyId, at }) => [keyId, String(Math.trunc(at)), new Date(at).toISOString()]);
        await scripts.tollgateKeyTouch(String(chunk.length + 1), lastUse, ...chunk.map((u) => recordKey(u.keyId)), ...args);
      }
    },
    watch(listener: (change: KeyChange) => void) {
      return feed.subscribe((change) => listener({ keyId: change.id, type: change.type }));
    },
    async close() {
      await connection.close();
    },
  };
}
