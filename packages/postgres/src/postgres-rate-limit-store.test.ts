// The Postgres rate-limit store against the real server: one round trip per reservation, exact across instances, swept rows, startup errors.
import { ConfigError, StoreConnectionError, type ReserveRequest } from '@tollgate/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import type { PgPool } from './pg-types.js';
import { postgresRateLimitStore } from './postgres-rate-limit-store.js';
import { dropSchema, sharedPostgresOrSkip, sharedPostgresUrl, uniqueSchema } from './test-database.js';

const available = await sharedPostgresOrSkip('@tollgate/postgres rate-limit store');
const hour = { kind: 'fixed', ms: 3_600_000 } as const;
let serial = 0;
const request = (counters: ReserveRequest['counters'], leases: ReserveRequest['leases'] = []): ReserveRequest => ({
  id: `pg-rl-${process.pid}-${++serial}`,
  counters,
  leases,
  output: { min: 0, max: 0 },
  ttlMs: 60_000,
});

describe.runIf(available)('postgresRateLimitStore (real PostgreSQL)', () => {
  const schema = uniqueSchema('rate_limit');
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: sharedPostgresUrl, max: 4 });
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });
  const rows = async (sql: string, values: unknown[] = []) => (await pool.query(sql.replaceAll('$schema', `"${schema}"`), values)).rows as Record<string, unknown>[];

  it('reserves every counter and lease of a request in one query, and settles in one more', async () => {
    const calls: string[] = [];
    const counting: PgPool = {
      query: (text, values) => {
        calls.push(text);
        return pool.query(text, values);
      },
      connect: () => {
        calls.push('connect');
        return pool.connect();
      },
    };
    const store = await postgresRateLimitStore({ pool: counting, schema });
    try {
      calls.length = 0;
      const reservation = request(
        [
          { key: 'rt|key=a', limit: 10, window: hour, fixed: 1, perOutputToken: 0, enforce: true },
          { key: 'rt|tenant=acme', limit: 100, window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin', weekStartsOn: 1 }, fixed: 1, perOutputToken: 0, enforce: true },
          { key: 'rt|global', limit: 1000, window: hour, fixed: 1, perOutputToken: 0, enforce: false },
        ],
        [{ key: 'rt-streams|key=a', limit: 2, enforce: true }, { key: 'rt-streams|tenant=acme', limit: 5, enforce: true }],
      );
      const result = await store.reserve(reservation);
      expect(result.granted).toBe(true);
      expect(calls).toHaveLength(1);
      await store.settle({ id: reservation.id, counters: result.counters.map((c, i) => ({ key: reservation.counters[i]!.key, windowStart: c.windowStart, actual: 1 })), leaseKeys: reservation.leases.map((l) => l.key) });
      expect(calls).toHaveLength(2);
      expect(await rows('SELECT count(*)::int AS n FROM $schema.tollgate_rate_limit_leases')).toEqual([{ n: 0 }]);
    } finally {
      await store.close();
    }
  });

  it('admits exactly the limit across two instances on their own pools', async () => {
    const [a, b] = await Promise.all([postgresRateLimitStore({ url: sharedPostgresUrl, schema }), postgresRateLimitStore({ url: sharedPostgresUrl, schema })]);
    try {
      const counter = { key: 'exact|global', limit: 40, window: hour, fixed: 1, perOutputToken: 0, enforce: true } as const;
      const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).reserve(request([counter]))));
      expect(results.filter((r) => r.granted)).toHaveLength(40);
      expect(await rows(`SELECT used::int FROM $schema.tollgate_rate_limit_counters WHERE key = 'exact|global'`)).toEqual([{ used: 40 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('sweeps ended windows and expired rows, keeping ended windows for keepEndedWindowsMs', async () => {
    const second = { kind: 'fixed', ms: 1000 } as const;
    const listed = async () => ({
      counters: (await rows(`SELECT key FROM $schema.tollgate_rate_limit_counters WHERE key = 'sweep|key=a'`)).length,
      leases: (await rows(`SELECT key FROM $schema.tollgate_rate_limit_leases WHERE key = 'sweep-lease'`)).length,
      reservations: (await rows(`SELECT id FROM $schema.tollgate_rate_limit_reservations WHERE id LIKE 'sweep-%'`)).length,
    });
    const keeping = await postgresRateLimitStore({ url: sharedPostgresUrl, schema, sweepIntervalMs: 1000, keepEndedWindowsMs: 3_600_000 });
    try {
      await keeping.reserve({ ...request([{ key: 'sweep|key=a', limit: 5, window: second, fixed: 1, perOutputToken: 0, enforce: true }], [{ key: 'sweep-lease', limit: 1, enforce: true }]), id: 'sweep-1', ttlMs: 500 });
      expect(await listed()).toEqual({ counters: 1, leases: 1, reservations: 1 });
      // The window and the lease end; the counter is history worth keeping, the rest is gone.
      await expect.poll(listed, { timeout: 8_000, interval: 250 }).toEqual({ counters: 1, leases: 0, reservations: 0 });
    } finally {
      await keeping.close();
    }
    const sweeping = await postgresRateLimitStore({ url: sharedPostgresUrl, schema, sweepIntervalMs: 1000 });
    try {
      await expect.poll(listed, { timeout: 8_000, interval: 250 }).toEqual({ counters: 0, leases: 0, reservations: 0 });
    } finally {
      await sweeping.close();
    }
  });

  it('refuses a schema without migration 003, and names an unreachable server without its password', async () => {
    const bare = uniqueSchema('rate_limit_bare');
    await pool.query(`CREATE SCHEMA "${bare}"`);
    try {
      await expect(postgresRateLimitStore({ url: sharedPostgresUrl, schema: bare })).rejects.toThrow(ConfigError);
      await expect(postgresRateLimitStore({ url: sharedPostgresUrl, schema: bare })).rejects.toThrow(/has no table .*tollgate_rate_limit_counters; run `tollgate-postgres migrate/);
    } finally {
      await dropSchema(pool, bare);
    }
    const failure = await postgresRateLimitStore({ url: 'postgres://app:hunter2@127.0.0.1:1/db', connectTimeoutMs: 500 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreConnectionError);
    expect((failure as Error).message).toMatch(/^postgresRateLimitStore: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/db: /);
    expect(String((failure as Error).stack)).not.toContain('hunter2');
  });
});
