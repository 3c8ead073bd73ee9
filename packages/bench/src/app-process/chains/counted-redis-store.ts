// A Redis rate-limit store on a client of the bench's own, counting what it sends: the round trips behind each reservation.
import { Redis } from 'ioredis';
import type { RateLimitStore } from '@tollgate/core';
import { redisRateLimitStore } from '@tollgate/redis';
import { redisCounterNames } from '../redis-counter-names.js';

type ScriptName = 'tollgateRateLimitReserve' | 'tollgateRateLimitSettle';
type Scripted = Record<ScriptName, (...args: unknown[]) => Promise<unknown>>;

export { redisCounterNames };

/** The store, its client (to close), and where the counts go. */
export interface CountedRedisStore {
  readonly store: RateLimitStore;
  readonly client: Redis;
}

/**
 * `redisRateLimitStore` on an ioredis client whose `sendCommand` is counted (each command is one
 * round trip: nothing here pipelines), as are the reserve and settle script calls. Keys live under a
 * prefix of this process's own, so parallel runs never share counters.
 *
 * @example
 * const { store, client } = countedRedisStore(url, (name) => counters.add(name));
 */
export function countedRedisStore(url: string, count: (name: string) => void): CountedRedisStore {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    count(redisCounterNames.commands);
    return send(...args);
  }) as Redis['sendCommand'];
  const store = redisRateLimitStore({ client, prefix: `tg-bench-${process.pid}-${Date.now().toString(36)}` });
  const scripted = client as unknown as Scripted;
  for (const [name, counter] of [['tollgateRateLimitReserve', redisCounterNames.reserves], ['tollgateRateLimitSettle', redisCounterNames.settles]] as const) {
    const original = scripted[name].bind(client);
    scripted[name] = (...args: unknown[]) => {
      count(counter);
      return original(...args);
    };
  }
  return { store, client };
}
