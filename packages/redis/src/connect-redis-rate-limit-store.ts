// The rate-limit store from a URL, connected and checked before use: a clear startup error instead of a first failed request.
import { ConfigError, type RateLimitStore } from '@tollgate/core';
import { Redis } from 'ioredis';
import { checkRedisClient } from './redis-connection.js';
import { redisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';

/** Options of {@link connectRedisRateLimitStore}: those of `redisRateLimitStore` with a URL, and the connection's time limits. */
export interface ConnectRedisRateLimitStoreOptions extends Omit<RedisRateLimitStoreOptions, 'client' | 'url'> {
  /** `redis://…` or `rediss://…`; the store makes and closes its client. */
  readonly url: string;
  /** How long connecting and the first PING may take before the factory rejects. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** A command slower than this fails (the rules' outage policy applies). @default 2000 */
  readonly commandTimeoutMs?: number;
}

/**
 * Makes a `redisRateLimitStore` on a client of its own and waits until Redis answers PING; rejects with
 * a `StoreConnectionError` naming the URL (never the password) when it does not. After that the client
 * reconnects by itself, and a failed call is a store failure for the rules' `onStoreFailure` policy.
 * This is what a config file's `rateLimit.store: { type: redis }` uses.
 *
 * @example
 * import { connectRedisRateLimitStore } from '@tollgate/redis';
 * const store = await connectRedisRateLimitStore({ url: process.env.REDIS_URL! });
 * const limits = rateLimit({ store, rules });
 */
export async function connectRedisRateLimitStore(options: ConnectRedisRateLimitStoreOptions): Promise<RateLimitStore & { close(): Promise<void> }> {
  const name = 'redisRateLimitStore';
  if (options === null || typeof options !== 'object') throw new ConfigError(`${name}: options must be an object`);
  const { url, connectTimeoutMs = 5_000, commandTimeoutMs = 2_000, redisOptions, ...rest } = options;
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new ConfigError(`${name}: url must start with redis:// or rediss://`);
  for (const [field, value] of [['connectTimeoutMs', connectTimeoutMs], ['commandTimeoutMs', commandTimeoutMs]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 600_000) throw new ConfigError(`${name}: ${field} must be a whole number of milliseconds between 1 and 600000`);
  }
  // Commands queue while reconnecting (the step's storeTimeoutMs bounds the wait), as with a store made from a URL.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: connectTimeoutMs, commandTimeout: commandTimeoutMs, ...redisOptions });
  // An 'error' event without a listener would crash the process; outages are reported, never thrown.
  client.on('error', (error: Error) => options.onError?.(error));
  try {
    await checkRedisClient(client, name, url, connectTimeoutMs);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const store = redisRateLimitStore({ ...rest, client });
  return {
    ...store,
    async close() {
      await store.close?.();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
