// The parts of node-postgres this package uses, kept structural so a Pool, a Client or a wrapper all fit.

/** Anything with node-postgres' `query(text, values)`: a `pg.Pool`, a `pg.Client`, a `PoolClient`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** A client checked out of a pool. */
export interface PgPoolClient extends PgQueryable {
  release(error?: Error | boolean): void;
}

/** A `pg.Pool`: runs queries and lends a client for a transaction. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
}
