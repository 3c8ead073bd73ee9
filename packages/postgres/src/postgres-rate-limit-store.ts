// RateLimitStore on PostgreSQL (the budget ledger): every counter and lease of a request in one function call, windows by the server clock.
import { windowsAround, type CancelRequest, type RateLimitStore, type RenewRequest, type ReserveRequest, type ReserveResult, type SettleRequest } from '@tollgate/core';
import { openPostgresConnection, whole, type PostgresConnectionOptions } from './postgres-connection.js';

/** Options of {@link postgresRateLimitStore}. */
export interface PostgresRateLimitStoreOptions extends PostgresConnectionOptions {
  /**
   * How long a counter row stays after its window ended, e.g. to read last month's spend per tenant
   * from the table; rows older than this are deleted by the sweep. @default 0
   */
  readonly keepEndedWindowsMs?: number;
  /** How often this instance deletes rows that can never count again (ended windows, expired leases and reservations). @default 60000 */
  readonly sweepIntervalMs?: number;
  /** The local clock, only to estimate the server's; windows are always decided by PostgreSQL. @default Date.now */
  readonly now?: () => number;
}

/** A Postgres-backed rate-limit store; `close()` stops its sweep and ends any pool it made. */
export interface PostgresRateLimitStore extends RateLimitStore {
  close(): Promise<void>;
}

/** The answer of `tollgate_rate_limit_reserve` (migration 003). */
interface ReserveAnswer {
  readonly status: 'OK' | 'DENY' | 'DUPLICATE' | 'CLOCK';
  readonly now: number;
  readonly output?: number;
  /** Per counter: used, amount, requested, allowed, window start, window end. */
  readonly counters?: readonly (readonly [number, number, number, boolean, number, number])[];
  /** Per lease: held, allowed. */
  readonly leases?: readonly (readonly [number, boolean])[];
}

const sweepBatch = 10_000;

/**
 * A store every instance sharing the database counts in, exact across all of them: `reserve` is one
 * call of a PL/pgSQL function (one round trip) that locks, checks and charges every counter and lease
 * of the request or none; settle, cancel and renew are one call each. Windows follow the database's
 * clock. The tables come from migration 003 (`tollgate-postgres migrate`); the factory refuses a
 * schema without them, and rejects with a `StoreConnectionError` naming the URL (never the password)
 * when the database cannot be reached. After that a failed call is a store failure, to which the
 * rules' `onStoreFailure` policy applies.
 *
 * @example
 * import { rateLimit } from '@tollgate/core';
 * import { postgresRateLimitStore } from '@tollgate/postgres';
 * const store = await postgresRateLimitStore({ url: process.env.DATABASE_URL, schema: 'tollgate' });
 * const limits = rateLimit({ store, rules: [{ name: 'tenant-spend', scope: 'tenant', unit: 'usd', limit: 500, window: 'month' }] });
 */
export async function postgresRateLimitStore(options: PostgresRateLimitStoreOptions): Promise<PostgresRateLimitStore> {
  const name = 'postgresRateLimitStore';
  const keepMs = whole(options?.keepEndedWindowsMs, 'keepEndedWindowsMs', 0, 0, 10 * 366 * 86_400_000, name);
  const sweepMs = whole(options?.sweepIntervalMs, 'sweepIntervalMs', 60_000, 1_000, 86_400_000, name);
  const local = options?.now ?? Date.now;
  const connection = await openPostgresConnection(options, name, 'tollgate_rate_limit_counters');
  const { pool } = connection;
  const fn = (fnName: string) => connection.table(fnName);
  let offset = 0;
  const now = (): number => Math.round(local() + offset);

  const reserveOnce = async (request: ReserveRequest): Promise<ReserveAnswer> => {
    const at = now();
    const payload = {
      id: request.id,
      ttl: request.ttlMs,
      min: request.output.min,
      max: request.output.max,
      counters: request.counters.map((c) => ({
        k: c.key,
        l: c.limit,
        f: c.fixed,
        p: c.perOutputToken,
        e: c.enforce,
        w: windowsAround(c.window, at).map((span) => [span.start, span.end]),
      })),
      leases: request.leases.map((l) => ({ k: l.key, l: l.limit, e: l.enforce })),
    };
    const sentAt = local();
    const { rows } = await pool.query(`SELECT ${fn('tollgate_rate_limit_reserve')}($1::jsonb) AS answer`, [JSON.stringify(payload)]);
    const answer = (rows[0] as { answer: ReserveAnswer }).answer;
    offset = answer.now - (sentAt + local()) / 2;
    return answer;
  };

  const sweep = setInterval(() => {
    pool.query(`SELECT ${fn('tollgate_rate_limit_sweep')}($1, $2)`, [keepMs, sweepBatch]).catch((error: Error) => options.onError?.(error));
  }, sweepMs);
  sweep.unref();

  return {
    now,
    async reserve(request) {
      let answer = await reserveOnce(request);
      // The local estimate of the server clock was off by more than a window: learnt now, so once more.
      if (answer.status === 'CLOCK') answer = await reserveOnce(request);
      if (answer.status === 'CLOCK') throw new Error(`${name}: could not agree on a window with the database clock`);
      return toReserveResult(answer, request);
    },
    async settle(request: SettleRequest) {
      const actual = request.counters.map((c) => [c.key, c.windowStart, c.actual]);
      await pool.query(`SELECT ${fn('tollgate_rate_limit_settle')}($1, $2::jsonb)`, [request.id, JSON.stringify(actual)]);
    },
    async cancel({ id, request }: CancelRequest) {
      await pool.query(`SELECT ${fn('tollgate_rate_limit_cancel')}($1, $2)`, [id, request.ttlMs]);
    },
    async renew(requests: readonly RenewRequest[], ttlMs: number) {
      if (requests.length === 0) return;
      await pool.query(`SELECT ${fn('tollgate_rate_limit_renew')}($1::text[], $2)`, [requests.map((r) => r.id), ttlMs]);
    },
    async close() {
      clearInterval(sweep);
      await connection.close();
    },
  };
}

function toReserveResult(answer: ReserveAnswer, request: ReserveRequest): ReserveResult {
  const at = answer.now;
  if (answer.status === 'DUPLICATE') {
    const counters = request.counters.map(() => ({ used: 0, amount: 0, requested: 0, allowed: false, windowStart: at, windowEnd: at }));
    return { granted: false, duplicate: true, now: at, output: 0, counters, leases: request.leases.map(() => ({ held: 0, allowed: false })) };
  }
  const granted = answer.status === 'OK';
  const counters = (answer.counters ?? []).map(([used, amount, requested, allowed, windowStart, windowEnd]) => ({
    used,
    amount: granted ? amount : 0,
    requested,
    allowed,
    windowStart,
    windowEnd,
  }));
  const leases = (answer.leases ?? []).map(([held, allowed]) => ({ held, allowed }));
  return { granted, now: at, output: answer.output ?? 0, counters, leases };
}
