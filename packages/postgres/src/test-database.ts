// Test support (not exported): the shared PostgreSQL of the test machines, skipped with a reason when absent, failing under CI.
import pg from 'pg';

/** The shared PostgreSQL every test may use. */
export const sharedPostgresUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Resolves true when PostgreSQL answers `SELECT 1` within two seconds. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether tests needing the shared PostgreSQL can run: prints why they skip when it is absent, and
 * throws under CI=true, where a missing service must fail the run.
 */
export async function sharedPostgresOrSkip(what: string): Promise<boolean> {
  if (await postgresAnswers(sharedPostgresUrl)) return true;
  const reason = `${what}: skipped, no PostgreSQL answers at ${sharedPostgresUrl} (set DATABASE_URL or start postgres)`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; under CI=true this is a failure`);
  console.warn(reason);
  return false;
}

/** A schema name no other run or test shares. */
export function uniqueSchema(label: string): string {
  return `tg_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
