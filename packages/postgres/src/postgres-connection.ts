// Connections of the Postgres key and tenant stores: a pool checked at startup (reachable, migrated), named without its password.
import { ConfigError, StoreConnectionError, redactUrl } from '@tollgate/core';
import { quoteIdentifier, schemaName } from './identifiers.js';
import type { PgPool, PgPoolClient } from './pg-types.js';

/** How a Postgres-backed key or tenant store reaches the database: a pool you own, or a URL for one it owns. */
export interface PostgresConnectionOptions {
  /** A `pg.Pool`; the store never ends it. It lends one client for LISTEN for as long as the store is open. */
  readonly pool?: PgPool;
  /** `postgres://…` or `postgresql://…`, for a pool the store creates and ends. */
  readonly url?: string;
  /** Schema holding the tables (see `tollgate-postgres migrate`). @default 'public' */
  readonly schema?: string;
  /** Most connections of a pool made from `url`, the LISTEN connection included. @default 5 */
  readonly maxConnections?: number;
  /** How long connecting may take, at startup and after. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** A query slower than this fails (a 503 for the request that needed it). @default 5000 */
  readonly queryTimeoutMs?: number;
  /** Connection errors after startup (the pool and the listener reconnect by themselves). @default ignored */
  readonly onError?: (error: Error) => void;
}

/** A client that can LISTEN: a pooled `pg.Client`. */
export interface PgListenClient extends PgPoolClient {
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
}

/** The checked connection of a store. */
export interface PostgresConnection {
  readonly pool: Omit<PgPool, 'connect'> & { connect(): Promise<PgListenClient> };
  readonly schema: string;
  /** `"schema".table`, quoted. */
  table(name: string): string;
  close(): Promise<void>;
}

/** An option that must be a whole number in [min, max]; a ConfigError naming the store and the option otherwise. */
export function whole(value: number | undefined, name: string, fallback: number, min: number, max: number, store: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${store}: ${name} must be a whole number between ${min} and ${max}; got ${String(value)}`);
  return n;
}

/**
 * Opens the pool (or takes the given one) and checks that the database answers and that `table` exists in
 * the schema; rejects with a StoreConnectionError naming the redacted URL, or a ConfigError telling to
 * run the migrations.
 *
 * @example
 * const connection = await openPostgresConnection({ url: process.env.DATABASE_URL }, 'postgresKeyStore', 'tollgate_api_keys');
 */
export async function openPostgresConnection(options: PostgresConnectionOptions, store: string, table: string): Promise<PostgresConnection> {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${store}: options must be an object`);
  if ((options.pool === undefined) === (options.url === undefined)) throw new ConfigError(`${store}: pass exactly one of pool or url`);
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url))) {
    throw new ConfigError(`${store}: url must start with postgres:// or postgresql://`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError(`${store}: onError must be a function`);
  const schema = schemaName(options.schema);
  const max = whole(options.maxConnections, 'maxConnections', 5, 2, 1_000, store);
  const connectTimeoutMs = whole(options.connectTimeoutMs, 'connectTimeoutMs', 5_000, 1, 600_000, store);
  const queryTimeoutMs = whole(options.queryTimeoutMs, 'queryTimeoutMs', 5_000, 1, 600_000, store);
  const url = options.url ?? 'postgres (pool given)';
  let pool = options.pool as PostgresConnection['pool'] | undefined;
  const owned = pool === undefined;
  if (pool === undefined) {
    const { default: pg } = await import('pg');
    pool = new pg.Pool({ connectionString: options.url, max, connectionTimeoutMillis: connectTimeoutMs, query_timeout: queryTimeoutMs, keepAlive: true }) as unknown as PostgresConnection['pool'];
    // Without a listener, an idle client's error would crash the process.
    (pool as unknown as { on(event: 'error', listener: (error: Error) => void): void }).on('error', (error) => options.onError?.(error));
  }
  const quoted = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  let found: boolean;
  try {
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS found', [quoted]);
    found = (rows[0] as { found: boolean } | undefined)?.found === true;
  } catch (error) {
    if (owned) await (pool as unknown as { end(): Promise<void> }).end().catch(() => undefined);
    throw new StoreConnectionError(store, url, error, 'is PostgreSQL running, and are the URL and credentials right?');
  }
  if (!found) {
    if (owned) await (pool as unknown as { end(): Promise<void> }).end().catch(() => undefined);
    throw new ConfigError(`${store}: ${options.url === undefined ? 'the database of the given pool' : redactUrl(url)} has no table ${schema}.${table}; run \`tollgate-postgres migrate --schema ${schema}\` (or migrate(pool, { schema })) first`);
  }
  return {
    pool,
    schema,
    table: (name) => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`,
    async close() {
      if (owned) await (pool as unknown as { end(): Promise<void> }).end().catch(() => undefined);
    },
  };
}
