// The KeyStore contract: how API key records are found, watched and (for writable stores) changed.
import type { KeyRecord } from './key-record.js';

/** Something that happened to a key in a store, pushed to watchers so caches drop it at once. */
export interface KeyChange {
  readonly keyId: string;
  readonly type: 'upsert' | 'delete';
}

/** Finds key records by id. Implementations must be safe under concurrent calls. */
export interface KeyStore {
  /** The record for a key id, or undefined. Throws only when the store itself fails. */
  get(keyId: string): Promise<KeyRecord | undefined>;
  /**
   * Subscribes to changes (this process's writes and, where the store can, other processes').
   * Returns the unsubscribe function.
   */
  watch?(listener: (change: KeyChange) => void): () => void;
  /** Releases timers, watchers and connections. */
  close?(): Promise<void>;
}

/** Filters for {@link WritableKeyStore.list}. */
export interface KeyListFilter {
  readonly tenantId?: string;
}

/** A store that can also be written to (memory, file, Redis, Postgres). */
export interface WritableKeyStore extends KeyStore {
  /** Inserts or replaces a record. */
  put(record: KeyRecord): Promise<void>;
  /** Removes a record; resolves whether it existed. */
  delete(keyId: string): Promise<boolean>;
  /** Lists records, optionally for one tenant, ordered by id. */
  list(filter?: KeyListFilter): Promise<KeyRecord[]>;
}
