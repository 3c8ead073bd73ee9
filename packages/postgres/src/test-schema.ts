// Test support (not exported): a migrated schema of its own on the shared PostgreSQL, for suites outside this package.
import pg from 'pg';
import { migrate } from './migrate.js';
import { dropSchema, sharedPostgresUrl, uniqueSchema } from './test-database.js';

/**
 * Creates and migrates a unique schema; `drop()` removes it and everything in it.
 *
 * @example
 * const { schema, drop } = await freshSchema('keys'); try { … } finally { await drop(); }
 */
export async function freshSchema(label: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = uniqueSchema(label);
  const pool = new pg.Pool({ connectionString: sharedPostgresUrl, max: 1 });
  pool.on('error', () => undefined);
  await migrate(pool, { schema });
  return {
    schema,
    async drop() {
      await dropSchema(pool, schema);
      await pool.end();
    },
  };
}

/** Runs one query on the shared PostgreSQL with a short-lived pool (tests that inspect what a store wrote). */
export async function queryShared(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const pool = new pg.Pool({ connectionString: sharedPostgresUrl, max: 1 });
  pool.on('error', () => undefined);
  try {
    return (await pool.query(text, values)).rows as Record<string, unknown>[];
  } finally {
    await pool.end();
  }
}
