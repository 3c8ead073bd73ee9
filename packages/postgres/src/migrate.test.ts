// Migrations against the real PostgreSQL: applied once, idempotent, safe to run concurrently, edits of applied files refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.js';
import { dropSchema, sharedPostgresOrSkip, sharedPostgresUrl, uniqueSchema } from './test-database.js';

const available = await sharedPostgresOrSkip('@tollgate/postgres migrations');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-migrations-'));
// The package's own migrations, and the version a test migration added after them gets.
const shipped = loadMigrations();
const next = shipped[shipped.length - 1]!.version + 1;
const nextName = `${String(next).padStart(3, '0')}_usage_view`;

describe.runIf(available)('migrate (real PostgreSQL)', () => {
  const schema = uniqueSchema('migrate');
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: sharedPostgresUrl, max: 4 });
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the schema and the audit table, then is a no-op', async () => {
    const first = await migrate(pool, { schema });
    expect(first).toEqual({ schema, applied: shipped.map((m) => m.name), version: next - 1 });
    expect(first.applied.slice(0, 2)).toEqual(['001_inference_records', '002_api_keys_and_tenants']);
    const { rows } = await pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'tollgate_inference_records' ORDER BY ordinal_position`,
      [schema],
    );
    expect(rows.map((r: { column_name: string }) => r.column_name)).toEqual(expect.arrayContaining(['ts', 'request_id', 'tenant_id', 'model', 'input_tokens', 'cost_usd', 'chain_id', 'seq', 'hash', 'record']));
    expect(await migrate(pool, { schema })).toEqual({ schema, applied: [], version: next - 1 });
  });

  it('applies a new migration exactly once when several instances start together', async () => {
    for (const m of shipped) writeFileSync(join(dir, `${m.name}.sql`), m.sql);
    writeFileSync(join(dir, `${nextName}.sql`), 'CREATE VIEW tollgate_usage AS SELECT tenant_id, sum(cost_usd) AS cost FROM tollgate_inference_records GROUP BY tenant_id;\n');
    const migrations = loadMigrations(dir);
    const results = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema, migrations })));
    expect(results.flatMap((r) => r.applied)).toEqual([nextName]);
    const { rows } = await pool.query(`SELECT version, name FROM "${schema}".tollgate_migrations ORDER BY version`);
    expect(rows).toEqual([...shipped.map((m) => ({ version: m.version, name: m.name })), { version: next, name: nextName }]);
  });

  it('refuses to run when an applied migration was edited, and rolls back everything', async () => {
    const edited = loadMigrations(dir).map((m) => (m.version === next ? { ...m, checksum: 'edited' } : m));
    const extra = { version: next + 1, name: 'more', sql: 'CREATE TABLE tollgate_more (id int);', checksum: 'x' };
    await expect(migrate(pool, { schema, migrations: [...edited, extra] })).rejects.toThrow(new RegExp(`${nextName} was applied .* with different contents`));
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'tollgate_more'`, [schema]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses badly named files and schema names', async () => {
    writeFileSync(join(dir, 'drop-everything.sql'), 'DROP TABLE x;');
    expect(() => loadMigrations(dir)).toThrow(/must be named NNN_name.sql/);
    await expect(migrate(pool, { schema: 'Robert"; DROP TABLE students; --' })).rejects.toThrow(/schema must be a lower-case identifier/);
  });
});
