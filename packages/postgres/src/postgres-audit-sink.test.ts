// The Postgres audit sink against the real server: a round trip of every field, chains verified in the table, usage per tenant.
import { apiKey, createApiKey, gate, type AuditRecord, inferenceLog, memoryAuditSink, memoryKeyStore, type ClosableStep, type Gate, type InferenceLogStep, type RequestInput } from '@tollgate/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageByTenant, verifyAuditTable } from './audit-table.js';
import { migrate } from './migrate.js';
import { postgresAuditSink } from './postgres-audit-sink.js';
import { dropSchema, sharedPostgresOrSkip, sharedPostgresUrl, uniqueSchema } from './test-database.js';

const available = await sharedPostgresOrSkip('@tollgate/postgres audit sink');
const chainKey = 'postgres-chain-key-'.padEnd(48, 'k');

// Stands in for validateRequest: the model and its price, as the model registry would give them.
const modelStep: ClosableStep = {
  name: 'validateRequest',
  requires: [],
  run(ctx) {
    ctx.model = { name: 'gpt-4o-mini-2024-07-18', requested: 'gpt-4o-mini', provider: 'openai', tags: [], price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } };
    ctx.inference = { api: 'chat', stream: false, maxTokens: 64, n: 1, toolCount: 0, messageCount: 1, promptTokens: 12 };
  },
};

const input = (headers: Record<string, string>): RequestInput => ({
  method: 'POST',
  path: '/v1/chat/completions',
  headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]!]),
  remoteAddress: '203.0.113.9',
  body: () => ({ kind: 'none' }),
});

describe.runIf(available)('postgresAuditSink (real PostgreSQL)', () => {
  const schema = uniqueSchema('audit');
  let pool: pg.Pool;
  let tg: Gate;
  let log: InferenceLogStep;
  const copy = memoryAuditSink();
  let key: string;

  /** One request through the chain, as an adapter would drive it, with the usage a handler reports. */
  async function call(headers: Record<string, string>, usage?: { inputTokens: number; outputTokens: number }): Promise<string> {
    const handle = tg.start(input(headers));
    const refused = await tg.run(handle);
    if (refused === undefined && usage !== undefined) handle.context.recordUsage(usage);
    await tg.finish(handle, { status: refused?.status ?? 200, aborted: false });
    return handle.context.requestId;
  }

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: sharedPostgresUrl, max: 4 });
    await migrate(pool, { schema });
    const store = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    await store.put(created.record);
    key = created.key;
    log = inferenceLog({ sinks: [postgresAuditSink({ pool, schema }), copy], chain: { key: chainKey }, delivery: { batchSize: 2 } });
    tg = gate({ inferenceLog: log, authenticate: { methods: [apiKey({ store })] }, validateRequest: modelStep });
  });
  afterAll(async () => {
    await tg.close();
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('stores every record with its columns filled and the whole record kept as written', async () => {
    const allowed = await call({ authorization: `Bearer ${key}`, 'user-agent': 'sdk/1.0' }, { inputTokens: 1000, outputTokens: 500 });
    const denied = await call({ 'user-agent': 'curl/8' });
    await call({ authorization: `Bearer ${key}` }, { inputTokens: 10, outputTokens: 0 });
    expect(await log.flush(5_000)).toBe(true);
    const { rows } = await pool.query(`SELECT * FROM "${schema}".tollgate_inference_records ORDER BY id`);
    expect(rows).toHaveLength(3);
    const [first, second] = rows as Record<string, unknown>[];
    expect(first).toMatchObject({
      request_id: allowed, tenant_id: 'acme', user_id: 'alice', auth_method: 'api_key', method: 'POST', endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini-2024-07-18', status: 200, outcome: 'success', reason: null, input_tokens: 1000, output_tokens: 500,
      cost_usd: '0.000450000', stream: false, aborted: false, seq: '1',
    });
    expect(second).toMatchObject({ request_id: denied, tenant_id: null, status: 401, outcome: 'denied', reason: 'TG_MISSING_CREDENTIAL', cost_usd: null, seq: '2' });
    expect((first!['ts'] as Date).toISOString()).toBe(copy.records[0]!.ts);
    // The stored record is the record the sink received, field for field; only each sink's own chain differs.
    const unchained = ({ chain_id: _c, prev_hash: _p, hash: _h, ...rest }: Record<string, unknown>) => rest;
    expect(rows.map((r: { record: Record<string, unknown> }) => unchained(r.record))).toEqual(copy.records.map((r) => unchained(JSON.parse(JSON.stringify(r)) as Record<string, unknown>)));
    expect(new Set(rows.map((r: { chain_id: string }) => r.chain_id)).size).toBe(1);
    expect(rows[0].chain_id).not.toBe(copy.records[0]!.chain_id);
  });

  it('verifies the chain in the table, and finds a record edited or deleted there', async () => {
    expect((await verifyAuditTable(pool, { schema, key: chainKey })).ok).toBe(true);
    const table = `"${schema}".tollgate_inference_records`;
    await pool.query(`UPDATE ${table} SET record = jsonb_set(record, '{cost_usd}', '0') WHERE seq = 1`);
    expect((await verifyAuditTable(pool, { schema, key: chainKey })).problems).toEqual([expect.objectContaining({ seq: 1, kind: 'edited' })]);
    await pool.query(`DELETE FROM ${table} WHERE seq = 2`);
    expect((await verifyAuditTable(pool, { schema, key: chainKey })).problems.map((p) => p.kind)).toEqual(['edited', 'missing']);
  });

  it('sums usage per tenant and model, and does not store a retried batch twice', async () => {
    const usage = await usageByTenant(pool, { schema, since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 60_000) });
    expect(usage).toEqual([{ tenantId: 'acme', model: 'gpt-4o-mini-2024-07-18', requests: 2, inputTokens: 1010, outputTokens: 500, costUsd: 0.0004515 }]);
    const sink = postgresAuditSink({ pool, schema });
    const before = (await pool.query(`SELECT count(*)::int AS n FROM "${schema}".tollgate_inference_records`)).rows[0].n as number;
    // The batch exactly as first sent (its records carry this table's chain positions).
    const sent = (await pool.query(`SELECT record FROM "${schema}".tollgate_inference_records WHERE seq = 3`)).rows.map((r: { record: AuditRecord }) => r.record);
    await sink.write(sent);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".tollgate_inference_records`)).rows[0].n).toBe(before);
  });

  it('fails its writes when the database is unreachable, so strict requests get 503 instead of going unrecorded', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 500 });
    const strictLog = inferenceLog({ sinks: [postgresAuditSink({ pool: down, schema })], strict: true, delivery: { retryMinMs: 10, retryMaxMs: 10, closeTimeoutMs: 10 } });
    const strictGate = gate({ inferenceLog: strictLog, authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } });
    try {
      const first = strictGate.start(input({}));
      await strictGate.finish(first, { status: (await strictGate.run(first))!.status, aborted: false });
      for (let i = 0; i < 300 && strictLog.sinks()[0]!.healthy; i++) await new Promise((r) => setTimeout(r, 10));
      const refused = await strictGate.run(strictGate.start(input({ authorization: `Bearer ${key}` })));
      expect(refused?.status).toBe(503);
      expect(JSON.parse(refused!.body).error.tg_code).toBe('TG_AUDIT_UNAVAILABLE');
    } finally {
      await strictGate.close();
      await down.end();
    }
    expect(() => postgresAuditSink({ pool: {} as pg.Pool })).toThrow(/options.pool must be a pg.Pool/);
    expect(() => postgresAuditSink({ pool, schema: 'Bad Schema' })).toThrow(/schema must be a lower-case identifier/);
  });
});
