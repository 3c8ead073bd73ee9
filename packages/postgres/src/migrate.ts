// Versioned SQL migrations: applied in order, once, under an advisory lock, with checksums of what ran.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@tollgate/core';
import { quoteIdentifier, schemaName } from './identifiers.js';
import type { PgPool } from './pg-types.js';

/** One migration file, `NNN_name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the SQL, kept in the migrations table so an edited, already-applied file is noticed. */
  readonly checksum: string;
}

/** What {@link migrate} did. */
export interface MigrationResult {
  readonly schema: string;
  /** Names of the migrations applied by this call, in order. */
  readonly applied: readonly string[];
  /** The highest version now in the database. */
  readonly version: number;
}

/** The folder of this package's migrations. */
export const migrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));

const fileName = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/**
 * Reads the migration files of a folder, sorted by version; a file that does not follow
 * `NNN_name.sql`, or two files with one version, is a ConfigError.
 *
 * @example
 * loadMigrations().map((m) => m.name) // ['001_inference_records', …]
 */
export function loadMigrations(dir: string = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = fileName.exec(file);
      if (match === null) throw new ConfigError(`migration file ${file} must be named NNN_name.sql (lower-case name)`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: Number(match[1]), name: file.slice(0, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) throw new ConfigError(`two migrations have version ${m.version}: ${migrations[i - 1]!.name}, ${m.name}`);
  });
  return migrations;
}

/**
 * Brings a schema up to date: creates it and its `tollgate_migrations` table if needed, then applies
 * every migration not yet recorded there, all in one transaction under an advisory lock, so
 * concurrent runs (several instances starting at once) apply each migration exactly once. Running it
 * again is a no-op. An applied migration whose file has changed since is an error, not a silent skip.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool, { schema: 'tollgate' });
 */
export async function migrate(pool: PgPool, options: { schema?: string; migrations?: readonly Migration[] } = {}): Promise<MigrationResult> {
  const schema = schemaName(options.schema);
  const migrations = options.migrations ?? loadMigrations();
  const quoted = quoteIdentifier(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tollgate-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS tollgate_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query('SELECT version, name, checksum FROM tollgate_migrations ORDER BY version');
    const done = new Map((rows as { version: number; name: string; checksum: string }[]).map((row) => [row.version, row]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const previous = done.get(migration.version);
      if (previous !== undefined) {
        if (previous.checksum !== migration.checksum) {
          throw new ConfigError(`migration ${migration.name} was applied to schema ${schema} with different contents; add a new migration instead of editing an applied one`);
        }
        continue;
      }
      await client.query(migration.sql);
      await client.query('INSERT INTO tollgate_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, migration.checksum]);
      applied.push(migration.name);
    }
    await client.query('COMMIT');
    const version = Math.max(0, ...done.keys(), ...migrations.map((m) => m.version));
    return { schema, applied, version };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
