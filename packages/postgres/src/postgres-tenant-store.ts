// TenantStore on PostgreSQL: one row per tenant, changes announced over LISTEN/NOTIFY to every instance.
import { parseTenantRecord, type Tenant, type TenantChange, type WritableTenantStore } from '@tollgate/core';
import { changeChannel, PostgresChangeListener } from './postgres-change-listener.js';
import { openPostgresConnection, type PostgresConnectionOptions } from './postgres-connection.js';

/** Options of {@link postgresTenantStore}. */
export type PostgresTenantStoreOptions = PostgresConnectionOptions;

/** A Postgres-backed tenant store; `close()` releases its LISTEN connection and any pool it made. */
export interface PostgresTenantStore extends WritableTenantStore {
  /** Whether changes from other instances are arriving right now. */
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * A tenant store every instance shares, in the `tollgate_tenants` table of migration 002: suspending a
 * tenant or changing its limits anywhere reaches every instance's resolveTenant cache when it commits.
 * Tenants are validated on the way in and on the way out.
 *
 * @example
 * import { postgresTenantStore } from '@tollgate/postgres';
 * const tenants = await postgresTenantStore({ url: process.env.DATABASE_URL, schema: 'tollgate' });
 * const tg = gate({ authenticate, resolveTenant: resolveTenant({ store: tenants }) });
 */
export async function postgresTenantStore(options: PostgresTenantStoreOptions): Promise<PostgresTenantStore> {
  const connection = await openPostgresConnection(options, 'postgresTenantStore', 'tollgate_tenants');
  let listener: PostgresChangeListener;
  try {
    listener = await PostgresChangeListener.open(connection, 'tenant', (error) => options.onError?.(error));
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { pool } = connection;
  const table = connection.table('tollgate_tenants');
  const read = (row: { id: string; record: unknown }): Tenant => parseTenantRecord(row.record, `${connection.schema}.tollgate_tenants row ${JSON.stringify(row.id)}`);

  return {
    get live() {
      return listener.live;
    },
    async get(tenantId) {
      const { rows } = await pool.query(`SELECT id, record FROM ${table} WHERE id = $1`, [tenantId]);
      const row = rows[0] as { id: string; record: unknown } | undefined;
      return row === undefined ? undefined : read(row);
    },
    async put(tenant) {
      const checked = parseTenantRecord(tenant, 'postgresTenantStore.put()');
      const announcement = listener.announce(checked.id, 'upsert');
      await pool.query(
        `WITH written AS (
          INSERT INTO ${table} (id, status, record) VALUES ($1, $2, $3::jsonb)
          ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, record = EXCLUDED.record, updated_at = now() RETURNING id)
        SELECT pg_notify('${changeChannel}', $4) FROM written`,
        [checked.id, checked.status, JSON.stringify(checked), announcement.payload],
      ).catch((error: unknown) => {
        announcement.cancel();
        throw error;
      });
      listener.emit({ id: checked.id, type: 'upsert' });
      await announcement.delivered();
    },
    async delete(tenantId) {
      const announcement = listener.announce(tenantId, 'delete');
      const { rows } = await pool
        .query(`WITH gone AS (DELETE FROM ${table} WHERE id = $1 RETURNING id) SELECT id, pg_notify('${changeChannel}', $2) FROM gone`, [tenantId, announcement.payload])
        .catch((error: unknown) => {
          announcement.cancel();
          throw error;
        });
      if (rows.length === 0) {
        announcement.cancel();
        return false;
      }
      listener.emit({ id: tenantId, type: 'delete' });
      await announcement.delivered();
      return true;
    },
    async list() {
      const { rows } = await pool.query(`SELECT id, record FROM ${table} ORDER BY id COLLATE "C"`);
      return (rows as { id: string; record: unknown }[]).map(read);
    },
    watch(listenerFn: (change: TenantChange) => void) {
      return listener.subscribe((change) => listenerFn({ tenantId: change.id, type: change.type }));
    },
    async close() {
      await listener.close();
      await connection.close();
    },
  };
}
