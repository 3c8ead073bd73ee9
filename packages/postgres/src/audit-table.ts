// Reading the audit table back: re-verify its hash chains, and sum usage per tenant and model.
import { verifyAuditChain, type ChainReport, type VerifyChainOptions } from '@tollgate/core';
import { quoteIdentifier, schemaName } from './identifiers.js';
import type { PgQueryable } from './pg-types.js';

const tableOf = (schema: string | undefined) => `${quoteIdentifier(schemaName(schema))}.tollgate_inference_records`;

/**
 * Verifies the hash chains of the records in the table, in insertion order, exactly as
 * `tollgate audit verify` checks a file: edited, deleted and reordered records are reported.
 *
 * @example
 * const report = await verifyAuditTable(pool, { schema: 'tollgate', key: process.env.TOLLGATE_CHAIN_KEY });
 * if (!report.ok) console.error(report.problems[0]?.message);
 */
export async function verifyAuditTable(pool: PgQueryable, options: VerifyChainOptions & { schema?: string; chainId?: string } = {}): Promise<ChainReport> {
  const table = tableOf(options.schema);
  const lines: string[] = [];
  let after = 0;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id, record::text AS line FROM ${table} WHERE id > $1 AND ($2::text IS NULL OR chain_id = $2) ORDER BY id LIMIT 1000`,
      [after, options.chainId ?? null],
    );
    for (const row of rows as { id: string; line: string }[]) lines.push(row.line);
    if (rows.length < 1000) break;
    after = Number((rows[rows.length - 1] as { id: string }).id);
  }
  return verifyAuditChain(lines, { ...(options.key === undefined ? {} : { key: options.key }), ...(options.allowPartial === undefined ? {} : { allowPartial: options.allowPartial }) });
}

/** One row of {@link usageByTenant}. */
export interface TenantUsage {
  readonly tenantId: string | null;
  readonly model: string | null;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/**
 * Requests, tokens and cost per tenant and model for records with `since <= ts < until`.
 *
 * @example
 * const rows = await usageByTenant(pool, { schema: 'tollgate', since: new Date('2026-05-01'), until: new Date('2026-06-01') });
 */
export async function usageByTenant(pool: PgQueryable, options: { schema?: string; since: Date; until: Date }): Promise<TenantUsage[]> {
  const { rows } = await pool.query(
    `SELECT tenant_id, model, count(*)::bigint AS requests, coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
        coalesce(sum(output_tokens), 0)::bigint AS output_tokens, coalesce(sum(cost_usd), 0)::text AS cost_usd
      FROM ${tableOf(options.schema)} WHERE ts >= $1 AND ts < $2 GROUP BY tenant_id, model ORDER BY tenant_id NULLS FIRST, model NULLS FIRST`,
    [options.since.toISOString(), options.until.toISOString()],
  );
  return (rows as Record<string, string | null>[]).map((row) => ({
    tenantId: row['tenant_id'] ?? null,
    model: row['model'] ?? null,
    requests: Number(row['requests']),
    inputTokens: Number(row['input_tokens']),
    outputTokens: Number(row['output_tokens']),
    costUsd: Number(row['cost_usd']),
  }));
}
