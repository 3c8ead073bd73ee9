// The TenantStore contract: how tenants (status, tier, tags, limits, budget) are found, watched and changed.
import { ChangeEmitter } from '../change-emitter/change-emitter.js';
import type { Tenant } from '../context/principal.js';

/**
 * Something that happened to a tenant in a store, pushed to watchers so caches drop it at once.
 * `resync` (with `tenantId: '*'`) says events may have been missed (the store's push channel
 * reconnected after an outage): drop everything cached from this store.
 */
export interface TenantChange {
  readonly tenantId: string;
  readonly type: 'upsert' | 'delete' | 'resync';
}

/** Finds tenants by id. Implementations must be safe under concurrent calls. */
export interface TenantStore {
  /** The tenant with this id, or undefined. Throws only when the store itself fails. */
  get(tenantId: string): Promise<Tenant | undefined>;
  /**
   * Subscribes to changes (this process's writes and, where the store can, other processes').
   * Returns the unsubscribe function.
   */
  watch?(listener: (change: TenantChange) => void): () => void;
  /** Releases timers, watchers and connections. */
  close?(): Promise<void>;
}

/** A store that can also be written to (memory, file, Redis, Postgres). */
export interface WritableTenantStore extends TenantStore {
  /** Inserts or replaces a tenant. */
  put(tenant: Tenant): Promise<void>;
  /** Removes a tenant; resolves whether it existed. */
  delete(tenantId: string): Promise<boolean>;
  /** Every tenant, ordered by id. */
  list(): Promise<Tenant[]>;
}

/** The change events of a tenant store. */
export class TenantChangeEmitter extends ChangeEmitter<TenantChange> {}

/** Orders tenants by id (code-unit order, the same in every store). */
export function byTenantId(a: Tenant, b: Tenant): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
