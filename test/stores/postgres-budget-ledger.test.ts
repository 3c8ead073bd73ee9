// A monthly spend budget per tenant in the Postgres rate-limit store: upper bounds reserved, real usage settled, the total readable in SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit, type RateLimitDecision } from '@tollgate/core';
import { postgresRateLimitStore } from '@tollgate/postgres';
import { limitedContext, refusalOf } from '../../packages/core/src/rate-limit/test-context.js';
import { sharedPostgresOrSkip } from '../../packages/postgres/src/test-database.js';
import { queryShared } from '../../packages/postgres/src/test-schema.js';
import { freshSchema, sharedPostgresUrl } from '../support/store-servers.js';

const available = await sharedPostgresOrSkip('Postgres budget ledger');

describe.runIf(available)('a tenant spend budget in PostgreSQL', () => {
  let schema: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ schema, drop } = await freshSchema('ledger'));
  });
  afterAll(async () => {
    await drop();
  });

  it('admits while the month’s settled spend plus the next upper bound fits, then refuses with insufficient_quota', async () => {
    const store = await postgresRateLimitStore({ url: sharedPostgresUrl, schema });
    const step = rateLimit({ store, rules: [{ name: 'tenant-spend', scope: 'tenant', unit: 'usd', limit: 0.0001, window: 'month' }] });
    try {
      const tenant = { id: 'acme', status: 'active', tags: [] } as const;
      const settled: number[] = [];
      let refusal: { code: string; status: number } | undefined;
      for (let i = 0; i < 6 && refusal === undefined; i++) {
        const context = limitedContext({ tenant, inference: { promptTokens: 100, maxTokens: 20 } });
        refusal = await refusalOf(step, context);
        if (refusal !== undefined) break;
        context.recordUsage({ inputTokens: 100, outputTokens: 5 });
        await step.finish!(context, { status: 200, aborted: false });
        settled.push(Math.round((context.decisions['rateLimit'] as RateLimitDecision).rules[0]!.settled! * 1e9));
      }
      // Each request reserves 100 x $0.15 + 20 x $0.60 per million tokens (27000 nano-USD) and settles to
      // 100 x 0.15 + 5 x 0.60 (18000): five fit under $0.0001; the sixth's upper bound would not.
      expect(settled).toEqual([18_000, 18_000, 18_000, 18_000, 18_000]);
      expect(refusal).toMatchObject({ code: 'TG_QUOTA_EXHAUSTED', status: 429 });
      const ledger = await queryShared(
        `SELECT key, used::int AS nano_usd, to_timestamp(window_start_ms / 1000.0) AS month_start FROM "${schema}".tollgate_rate_limit_counters WHERE key LIKE 'tenant-spend|%'`,
      );
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatchObject({ key: 'tenant-spend|tenant=acme', nano_usd: 90_000 });
      const monthStart = ledger[0]!['month_start'] as Date;
      expect([monthStart.getUTCDate(), monthStart.getUTCHours(), monthStart.getUTCMinutes()]).toEqual([1, 0, 0]);
    } finally {
      await step.close?.();
      await store.close();
    }
  });
});
