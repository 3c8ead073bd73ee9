// KeyStore on PostgreSQL: one row per key, atomic lifecycle patches in a transaction, changes over LISTEN/NOTIFY.
import {
  applyKeyRecordPatch,
  latestUses,
  parseKeyRecord,
  parseKeyRecordPatch,
  type KeyChange,
  type KeyListFilter,
  type KeyRecord,
  type WritableKeyStore,
} from '@tollgate/core';
import { changeChannel, PostgresChangeListener, type Announcement } from './postgres-change-listener.js';
import { openPostgresConnection, type PostgresConnectionOptions } from './postgres-connection.js';

/** Options of {@link postgresKeyStore}. */
export type PostgresKeyStoreOptions = PostgresConnectionOptions;

/** A Postgres-backed key store; `close()` releases its LISTEN connection and any pool it made. */
export interface PostgresKeyStore extends WritableKeyStore {
  /** Whether changes from other instances are arriving right now (the LISTEN connection is up). */
  readonly live: boolean;
  close(): Promise<void>;
}

/** Stops waiting for a notification whose write failed, and passes the failure on. */
const failed = (announcement: Announcement) => (error: unknown): never => {
  announcement.cancel();
  throw error;
};

const iso = (value: string | undefined): string | null => (value === undefined ? null : new Date(Date.parse(value)).toISOString());

/** The column values of a record, in the order of {@link upsertSql}'s parameters 1-9. */
function rowValues(record: KeyRecord): unknown[] {
  return [record.id, record.tenantId ?? null, record.subject, record.kind, JSON.stringify(record), iso(record.createdAt), iso(record.expiresAt), iso(record.revokedAt), record.rotatedTo ?? null, iso(record.lastUsedAt)];
}

/**
 * A key store every instance of an app shares, in the tables of migration 002 (run
 * `tollgate-postgres migrate` first; the factory refuses a schema without them). Each write notifies
 * `tollgate_changes` when it commits, so `watch` hears every instance's writes and a revocation drops
 * cached verifications everywhere at once. `patch` locks the row, so concurrent lifecycle changes never
 * lose one another; `touch` raises last-use times of a whole batch in one UPDATE, with no notification.
 * The factory rejects with a `StoreConnectionError` naming the URL (never the password) when the
 * database cannot be reached; after that, failures reject the call (the apiKey method answers 503).
 *
 * @example
 * import { postgresKeyStore } from '@tollgate/postgres';
 * const keys = await postgresKeyStore({ url: process.env.DATABASE_URL, schema: 'tollgate' });
 * const tg = gate({ authenticate: { methods: [apiKey({ store: keys })] } });
 */
export async function postgresKeyStore(options: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
  const connection = await openPostgresConnection(options, 'postgresKeyStore', 'tollgate_api_keys');
  let listener: PostgresChangeListener;
  try {
    listener = await PostgresChangeListener.open(connection, 'key', (error) => options.onError?.(error));
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { pool } = connection;
  const table = connection.table('tollgate_api_keys');
  const where = (id: string) => `${connection.schema}.tollgate_api_keys row ${JSON.stringify(id)}`;
  const read = (row: { id: string; record: unknown }): KeyRecord => parseKeyRecord(row.record, where(row.id));
  const upsertSql = `INSERT INTO ${table} (id, tenant_id, subject, kind, record, created_at, expires_at, revoked_at, rotated_to, last_used_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)
    ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, subject = EXCLUDED.subject, kind = EXCLUDED.kind, record = EXCLUDED.record,
      created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at, rotated_to = EXCLUDED.rotated_to,
      last_used_at = EXCLUDED.last_used_at, updated_at = now()`;

  return {
    get live() {
      return listener.live;
    },
    async get(keyId) {
      const { rows } = await pool.query(`SELECT id, record FROM ${table} WHERE id = $1`, [keyId]);
      const row = rows[0] as { id: string; record: unknown } | undefined;
      return row === undefined ? undefined : read(row);
    },
    async put(record) {
      const checked = parseKeyRecord(record, 'postgresKeyStore.put()');
      const announcement = listener.announce(checked.id, 'upsert');
      await pool.query(`WITH written AS (${upsertSql} RETURNING id) SELECT pg_notify('${changeChannel}', $11) FROM written`, [...rowValues(checked), announcement.payload]).catch(failed(announcement));
      listener.emit({ id: checked.id, type: 'upsert' });
      await announcement.delivered();
    },
    async delete(keyId) {
      const announcement = listener.announce(keyId, 'delete');
      const { rows } = await pool.query(`WITH gone AS (DELETE FROM ${table} WHERE id = $1 RETURNING id) SELECT id, pg_notify('${changeChannel}', $2) FROM gone`, [keyId, announcement.payload]).catch(failed(announcement));
      if (rows.length === 0) {
        announcement.cancel();
        return false;
      }
      listener.emit({ id: keyId, type: 'delete' });
      await announcement.delivered();
      return true;
    },
    async list(filter: KeyListFilter = {}) {
      const { rows } =
        filter.tenantId === undefined
          ? await pool.query(`SELECT id, record FROM ${table} ORDER BY id COLLATE "C"`)
          : await pool.query(`SELECT id, record FROM ${table} WHERE tenant_id = $1 ORDER BY id COLLATE "C"`, [filter.tenantId]);
      return (rows as { id: string; record: unknown }[]).map(read);
    },
    async patch(keyId, patch) {
      const checked = parseKeyRecordPatch(patch, 'postgresKeyStore.patch()');
      const client = await pool.connect();
      const announcement = listener.announce(keyId, 'upsert');
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(`SELECT id, record FROM ${table} WHERE id = $1 FOR UPDATE`, [keyId]);
        const row = rows[0] as { id: string; record: unknown } | undefined;
        if (row === undefined) {
          await client.query('ROLLBACK');
          announcement.cancel();
          return undefined;
        }
        const after = applyKeyRecordPatch(read(row), checked);
        await client.query(upsertSql, rowValues(after));
        await client.query(`SELECT pg_notify('${changeChannel}', $1)`, [announcement.payload]);
        await client.query('COMMIT');
        listener.emit({ id: keyId, type: 'upsert' });
        await announcement.delivered();
        return after;
      } catch (error) {
        announcement.cancel();
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async touch(uses) {
      const latest = latestUses(uses);
      if (latest.length === 0) return;
      const times = latest.map((u) => new Date(u.at).toISOString());
      // One statement for the batch; a time older than the stored one changes nothing.
      await pool.query(
        `UPDATE ${table} AS k SET last_used_at = u.at, record = jsonb_set(k.record, '{lastUsedAt}', to_jsonb(u.text))
          FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(id, at, text)
          WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
        [latest.map((u) => u.keyId), times, times],
      );
    },
    watch(listenerFn: (change: KeyChange) => void) {
      return listener.subscribe((change) => listenerFn({ keyId: change.id, type: change.type }));
    },
    async close() {
      await listener.close();
      await connection.close();
    },
  };
}
