// The PostgreSQL audit sink: each batch of inference records is one INSERT into tollgate_inference_records.
import type { AuditRecord, AuditSink } from '@tollgate/core';
import { ConfigError } from '@tollgate/core';
import { quoteIdentifier, schemaName } from './identifiers.js';
import type { PgQueryable } from './pg-types.js';

/** Options of {@link postgresAuditSink}. */
export interface PostgresAuditSinkOptions {
  /** A `pg.Pool` (recommended) or anything with its `query`. The sink does not close it. */
  readonly pool: PgQueryable;
  /** Schema holding `tollgate_inference_records` (see `migrate`). @default 'public' */
  readonly schema?: string;
  /** Name in metrics and errors. @default 'postgres' */
  readonly name?: string;
}

/**
 * The INSERT for a batch: the records travel as one JSON array parameter and are spread into the
 * columns server-side; the full record is kept in `record`. A batch retried after a commit that was
 * not acknowledged is not stored twice (unique chain position).
 */
function insertSql(table: string): string {
  return `INSERT INTO ${table} (ts, ts_end, request_id, tenant_id, user_id, key_id, auth_method, method, endpoint, model, status, outcome, reason,
      latency_ms, ttft_ms, input_tokens, output_tokens, cost_usd, stream, aborted, chain_id, seq, prev_hash, hash, record)
    SELECT (r->>'ts')::timestamptz, (r->>'ts_end')::timestamptz, r->>'request_id', r->>'tenant_id', r->>'user_id', r->>'key_id',
      r->>'auth_method', r->>'method', r->>'endpoint', r->>'model', (r->>'status')::smallint, r->>'outcome', r->>'reason',
      (r->>'latency_ms')::double precision, (r->>'ttft_ms')::double precision, (r->>'input_tokens')::integer, (r->>'output_tokens')::integer,
      (r->>'cost_usd')::numeric, (r->>'stream')::boolean, (r->>'aborted')::boolean, r->>'chain_id', (r->>'seq')::bigint, r->>'prev_hash',
      r->>'hash', r
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(r, n)
    ORDER BY n
    ON CONFLICT (chain_id, seq) WHERE chain_id IS NOT NULL DO NOTHING`;
}

/**
 * An audit sink writing to PostgreSQL, for querying usage per tenant and keeping records apart from
 * the app's logs. Run {@link migrate} first (or `tollgate-postgres migrate`). Each process starts its
 * own hash chain (`chain_id`), so several instances can share the table.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool, { schema: 'tollgate' });
 * const log = inferenceLog({ sinks: [postgresAuditSink({ pool, schema: 'tollgate' })], chain: { key: process.env.TOLLGATE_CHAIN_KEY } });
 */
export function postgresAuditSink(options: PostgresAuditSinkOptions): AuditSink {
  if (options === null || typeof options !== 'object' || typeof options.pool?.query !== 'function') {
    throw new ConfigError('postgresAuditSink: options.pool must be a pg.Pool (or anything with query(text, values))');
  }
  const { pool } = options;
  const table = `${quoteIdentifier(schemaName(options.schema))}.tollgate_inference_records`;
  const sql = insertSql(table);
  return {
    name: options.name ?? 'postgres',
    async write(records: readonly AuditRecord[]) {
      if (records.length === 0) return;
      await pool.query(sql, [JSON.stringify(records)]);
    },
  };
}
