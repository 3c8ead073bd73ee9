// Connections of the Redis key and tenant stores: checked at startup with a clear error, failing fast at run time.
import { ConfigError, StoreConnectionError } from '@tollgate/core';
import { Redis, type RedisOptions } from 'ioredis';

/** How a Redis-backed key or tenant store reaches Redis: a client you own, or a URL for one it owns. */
export interface RedisConnectionOptions {
  /** An ioredis client (not a Cluster); the store never closes it (its subscriber, a duplicate, it does close). */
  readonly client?: Redis;
  /** `redis://…` or `rediss://…`, for a client the store creates and closes. */
  readonly url?: string;
  /** Extra ioredis options for a client made from `url`. @default {} */
  readonly redisOptions?: RedisOptions;
  /** How long the startup check may take before the factory rejects. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** A command slower than this fails (a 503 for the request that needed it). @default 2000 */
  readonly commandTimeoutMs?: number;
  /** Connection errors after startup (the clients reconnect by themselves). @default ignored */
  readonly onError?: (error: Error) => void;
}

/** The checked connection: the command client, a way to open the subscriber, and how to close what it owns. */
export interface RedisConnection {
  readonly client: Redis;
  /** The URL for messages (password replaced by the error class). */
  readonly url: string;
  /** A connected duplicate for SUBSCRIBE; the connection closes it. */
  subscriber(): Promise<Redis>;
  close(): Promise<void>;
}

function describeClient(client: Redis): string {
  const { options } = client;
  return options?.host === undefined ? 'redis (client given)' : `redis://${options.host}:${options.port ?? 6379}`;
}

function timeout(what: string, ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms).unref());
}

/** Connects (or checks a given client) with PING; rejects with a StoreConnectionError naming the redacted URL. */
export async function checkRedisClient(client: Redis, store: string, url: string, ms: number): Promise<void> {
  try {
    if (client.status === 'wait') await Promise.race([client.connect(), timeout('connect', ms)]);
    await Promise.race([client.ping(), timeout('PING', ms)]);
  } catch (error) {
    throw new StoreConnectionError(store, url, error, 'is Redis running, and are the URL and credentials right?');
  }
}

/**
 * Opens and checks the connection of a store. A URL gets an owned client that fails commands at once
 * while disconnected (no offline queue), so an outage is a quick 503, not a pile of waiting requests.
 *
 * @example
 * const connection = await openRedisConnection({ url: process.env.REDIS_URL }, 'redisKeyStore');
 */
export async function openRedisConnection(options: RedisConnectionOptions, store: string): Promise<RedisConnection> {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${store}: options must be an object`);
  if ((options.client === undefined) === (options.url === undefined)) throw new ConfigError(`${store}: pass exactly one of client or url`);
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new ConfigError(`${store}: url must start with redis:// or rediss://`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError(`${store}: onError must be a function`);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const commandTimeout = options.commandTimeoutMs ?? 2_000;
  for (const [name, value] of [['connectTimeoutMs', connectTimeoutMs], ['commandTimeoutMs', commandTimeout]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 600_000) throw new ConfigError(`${store}: ${name} must be a whole number of milliseconds between 1 and 600000`);
  }
  const report = (error: Error) => options.onError?.(error);
  const owned = options.client === undefined;
  const url = options.url ?? describeClient(options.client!);
  const client =
    options.client ??
    new Redis(options.url!, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout, connectTimeout: connectTimeoutMs, ...options.redisOptions });
  // An 'error' event without a listener would crash the process; outages are reported, never thrown.
  const onClientError = (error: Error) => report(error);
  client.on('error', onClientError);
  try {
    await checkRedisClient(client, store, url, connectTimeoutMs);
  } catch (error) {
    if (owned) client.disconnect();
    client.off('error', onClientError);
    throw error;
  }
  const subscribers: Array<Redis> = [];
  return {
    client,
    url,
    async subscriber() {
      // Offline queue on: SUBSCRIBE sent while reconnecting is kept and sent once the server is back.
      const duplicate = client.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined } as RedisOptions);
      duplicate.on('error', (error: Error) => report(error));
      subscribers.push(duplicate);
      await checkRedisClient(duplicate, store, url, connectTimeoutMs);
      return duplicate;
    },
    async close() {
      for (const subscriber of subscribers) subscriber.disconnect();
      client.off('error', onClientError);
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
