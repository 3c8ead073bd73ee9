// Microbenchmarks of limit reservations: the memory store and the Redis store, with two and five limits.
import { randomUUID } from 'node:crypto';
import { memoryRateLimitStore, parseWindow, type CounterCharge, type LeaseCharge, type RateLimitStore, type ReserveRequest } from '@tollgate/core';
import type { MicroGroup, MicroTask } from './micro-task.js';

const calendar = { timeZone: 'UTC', weekStartsOn: 1 as const };
const never = 1_000_000_000_000;

function counter(key: string, window: string, fixed: number, perOutputToken: number): CounterCharge {
  return { key, limit: never, window: parseWindow(window, calendar, key), fixed, perOutputToken, enforce: true };
}

/** What the full chains reserve per request: requests per user and tokens per tenant (24 prompt tokens, up to 32 out). */
const twoLimits = { counters: [counter('user-rpm|bench-user', '1m', 1, 0), counter('tenant-tpm|acme', '1m', 24, 1)], leases: [] as LeaseCharge[] };

/** The Redis chain's five limits: four counters over four scopes and a concurrency lease. */
const fiveLimits = {
  counters: [...twoLimits.counters, counter('tenant-model-tph|acme|gpt-4o-mini', '1h', 0, 1), counter('global-rps', '1s', 1, 0)],
  leases: [{ key: 'user-concurrent|bench-user', limit: 1_000_000, enforce: true }],
};

/** Nine output tokens, as the stub answers the bench request. */
const outputTokens = 9;

/**
 * What one request costs a store: the reservation before the model call, and its settlement with the
 * real usage after (which releases the lease), so nothing piles up between iterations.
 */
function reserveTask(name: string, store: RateLimitStore, limits: { counters: CounterCharge[]; leases: LeaseCharge[] }): MicroTask {
  return {
    name,
    async run() {
      // A new id each time: a reused id is a duplicate, which stores answer without work.
      const request: ReserveRequest = { id: randomUUID(), counters: limits.counters, leases: limits.leases, output: { min: 1, max: 32 }, ttlMs: 60_000 };
      const result = await store.reserve(request);
      if (!result.granted) throw new Error(`${name}: the reservation was refused`);
      await store.settle({
        id: request.id,
        counters: limits.counters.map((counter, index) => ({ key: counter.key, windowStart: result.counters[index]!.windowStart, actual: Math.ceil(counter.fixed + counter.perOutputToken * outputTokens) })),
        leaseKeys: limits.leases.map((lease) => lease.key),
      });
    },
  };
}

/**
 * Reserving every limit of one request and settling it: in memory, and in Redis (counting the
 * commands each reservation sends, which is its round-trip count).
 *
 * @example
 * const group = await reservationTasks('redis://127.0.0.1:6379');
 */
export async function reservationTasks(redisUrl: string): Promise<MicroGroup> {
  const memory = memoryRateLimitStore();
  const tasks: MicroTask[] = [reserveTask('Memory store: reserve + settle 2 limits', memory, twoLimits), reserveTask('Memory store: reserve + settle 5 limits', memory, fiveLimits)];
  const skipped: string[] = [];
  let closeRedis = async (): Promise<void> => undefined;
  try {
    const { countedRedisStore, redisCounterNames } = await import('../app-process/chains/counted-redis-store.js');
    const counts = new Map<string, number>();
    const { store, client } = countedRedisStore(redisUrl, (name) => counts.set(name, (counts.get(name) ?? 0) + 1));
    closeRedis = async () => void client.disconnect();
    await client.ping();
    for (const [label, limits] of [['2 limits', twoLimits], ['5 limits', fiveLimits]] as const) {
      const task = reserveTask(`Redis store: reserve + settle ${label}`, store, limits);
      // The first reservation loads the script (a second command once); the rest are what is counted.
      await task.run();
      tasks.push({
        name: task.name,
        run: task.run,
        observe: () => {
          const read = () => ({ commands: counts.get(redisCounterNames.commands) ?? 0, reserves: counts.get(redisCounterNames.reserves) ?? 0, settles: counts.get(redisCounterNames.settles) ?? 0 });
          const before = read();
          return () => {
            const after = read();
            const reserves = after.reserves - before.reserves;
            const perReservation = (after.commands - before.commands - (after.settles - before.settles)) / reserves;
            return `${perReservation.toFixed(2)} Redis round trips per reservation`;
          };
        },
      });
    }
  } catch (error) {
    await closeRedis();
    closeRedis = async () => undefined;
    skipped.push(`Redis store: reserve + settle (no answer from Redis at ${redisUrl}: ${(error as Error).message.split('\n')[0]})`);
  }
  return { tasks, skipped, close: async () => void (await Promise.all([memory.close?.(), closeRedis()])) };
}
