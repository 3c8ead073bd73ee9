// RateLimitStore on Redis: every counter and lease of a request in one script call, windows by the server clock.
import { ConfigError, windowAt, windowsAround, type CancelRequest, type RateLimitStore, type RenewRequest, type ReserveRequest, type ReserveResult, type SettleRequest } from '@tollgate/core';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { renewScript, reserveScript, settleScript } from './rate-limit-scripts.js';

/** Options of {@link redisRateLimitStore}: a client you own, or a URL for a client the store owns. */
export interface RedisRateLimitStoreOptions {
  /** An ioredis client or cluster; the store adds its scripts to it and never closes it. */
  readonly client?: Redis | Cluster;
  /** `redis://…` or `rediss://…`, for a client the store creates and closes. */
  readonly url?: string;
  /** Extra ioredis options for a client made from `url`. @default {} */
  readonly redisOptions?: RedisOptions;
  /**
   * Start of every key, inside a Redis Cluster hash tag (`{tg-rl}:c:…`), so all keys of one request
   * live in one slot and one script can reserve them together. @default 'tg-rl'
   */
  readonly prefix?: string;
  /** Connection errors of an owned client (it reconnects by itself). @default ignored */
  readonly onError?: (error: Error) => void;
  /** The local clock, only to estimate the server's; windows are always decided by Redis. @default Date.now */
  readonly now?: () => number;
}

type ScriptReply = Array<string | number>;

interface ScriptClient {
  tollgateRateLimitReserve(...args: Array<string | number>): Promise<ScriptReply>;
  tollgateRateLimitSettle(...args: Array<string | number>): Promise<number>;
  tollgateRateLimitRenew(...args: Array<string | number>): Promise<number>;
}

/**
 * A Redis-backed store: exact across every instance sharing the Redis, one round trip per request.
 *
 * @example
 * import { rateLimit } from '@tollgate/core';
 * import { redisRateLimitStore } from '@tollgate/redis';
 * const limits = rateLimit({ store: redisRateLimitStore({ url: process.env.REDIS_URL }), rules });
 */
export function redisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  if (options === null || typeof options !== 'object') throw new ConfigError('redisRateLimitStore: options must be an object');
  if ((options.client === undefined) === (options.url === undefined)) throw new ConfigError('redisRateLimitStore: pass exactly one of client or url');
  const prefix = options.prefix ?? 'tg-rl';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9:._-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`redisRateLimitStore: prefix must be 1-64 letters, digits, ':', '.', '_' or '-'; got ${JSON.stringify(prefix)}`);
  }
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new ConfigError('redisRateLimitStore: url must start with redis:// or rediss://');
  }
  const local = options.now ?? Date.now;
  const owned = options.client === undefined;
  // Commands queue while (re)connecting; the step's timeout bounds the wait, and one failed retry ends it.
  const client = options.client ?? new Redis(options.url!, { maxRetriesPerRequest: 1, ...options.redisOptions });
  if (owned) client.on('error', (error: Error) => options.onError?.(error));
  client.defineCommand('tollgateRateLimitReserve', { lua: reserveScript });
  client.defineCommand('tollgateRateLimitSettle', { lua: settleScript });
  client.defineCommand('tollgateRateLimitRenew', { lua: renewScript });
  const scripts = client as unknown as ScriptClient;
  const tag = `{${prefix}}`;
  const recordKey = (id: string): string => `${tag}:r:${id}`;
  const counterKey = (key: string, start: number): string => `${tag}:c:${key}:${start}`;
  const leaseKey = (key: string): string => `${tag}:l:${key}`;
  let offset = 0;

  const learnClock = (serverNow: number, sentAt: number): void => {
    offset = serverNow - (sentAt + local()) / 2;
  };
  const now = (): number => Math.round(local() + offset);

  const reserveOnce = async (request: ReserveRequest): Promise<ScriptReply> => {
    const at = now();
    const keys: string[] = [recordKey(request.id)];
    const args: Array<string | number> = [request.counters.length, request.leases.length, request.output.min, request.output.max, request.ttlMs, request.id];
    for (const counter of request.counters) {
      args.push(counter.limit, String(counter.fixed), String(counter.perOutputToken), counter.enforce ? 1 : 0);
      for (const span of windowsAround(counter.window, at)) {
        keys.push(counterKey(counter.key, span.start));
        args.push(span.start, span.end);
      }
    }
    for (const lease of request.leases) {
      keys.push(leaseKey(lease.key));
      args.push(lease.limit, lease.enforce ? 1 : 0);
    }
    const sentAt = local();
    const reply = await scripts.tollgateRateLimitReserve(keys.length, ...keys, ...args);
    learnClock(Number(reply[1]), sentAt);
    return reply;
  };

  return {
    now,
    async reserve(request) {
      let reply = await reserveOnce(request);
      // The local estimate of the server clock was off by more than a window: learnt now, so once more.
      if (reply[0] === 'CLOCK') reply = await reserveOnce(request);
      if (reply[0] === 'CLOCK') throw new Error('redisRateLimitStore: could not agree on a window with the server clock');
      return parseReserveReply(reply, request);
    },
    async settle(request: SettleRequest) {
      const keys = [recordKey(request.id), ...request.counters.map((c) => counterKey(c.key, c.windowStart)), ...request.leaseKeys.map(leaseKey)];
      await scripts.tollgateRateLimitSettle(keys.length, ...keys, request.counters.length, request.id, 0, 0, ...request.counters.map((c) => c.actual));
    },
    async cancel({ id, request, at }: CancelRequest) {
      // Every window the reservation could have been counted in, by the estimate then and now.
      const candidates = new Set<string>();
      for (const counter of request.counters) {
        for (const when of [at, now()]) for (const span of windowsAround(counter.window, when)) candidates.add(counterKey(counter.key, span.start));
      }
      const keys = [recordKey(id), ...candidates, ...request.leases.map((l) => leaseKey(l.key))];
      await scripts.tollgateRateLimitSettle(keys.length, ...keys, candidates.size, id, 1, request.ttlMs, ...[...candidates].map(() => 0));
    },
    async renew(requests: readonly RenewRequest[], ttlMs: number) {
      if (requests.length === 0) return;
      const keys: string[] = [];
      const args: Array<string | number> = [ttlMs];
      for (const { id, leaseKeys } of requests) {
        keys.push(recordKey(id), ...leaseKeys.map(leaseKey));
        args.push(id, leaseKeys.length);
      }
      await scripts.tollgateRateLimitRenew(keys.length, ...keys, ...args);
    },
    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}

function parseReserveReply(reply: ScriptReply, request: ReserveRequest): ReserveResult {
  const num = (i: number): number => Number(reply[i]);
  const at = num(1);
  if (reply[0] === 'DUPLICATE') {
    const counters = request.counters.map(() => ({ used: 0, amount: 0, requested: 0, allowed: false, windowStart: at, windowEnd: at }));
    return { granted: false, duplicate: true, now: at, output: 0, counters, leases: request.leases.map(() => ({ held: 0, allowed: false })) };
  }
  const granted = reply[0] === 'OK';
  const counters = request.counters.map((counter, i) => {
    const base = 3 + i * 5;
    // The server counted in the candidate window containing its clock: the window at its `now`.
    const span = windowAt(counter.window, at);
    return { used: num(base), amount: granted ? num(base + 1) : 0, requested: num(base + 2), allowed: num(base + 3) === 1, windowStart: span.start, windowEnd: span.end };
  });
  const leaseBase = 3 + request.counters.length * 5;
  const leases = request.leases.map((_, j) => ({ held: num(leaseBase + j * 2), allowed: num(leaseBase + j * 2 + 1) === 1 }));
  return { granted, now: at, output: num(2), counters, leases };
}
