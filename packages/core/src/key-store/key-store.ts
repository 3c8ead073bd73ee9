// The KeyStore contract: how API key records are found, watched and (for writable stores) changed.
import type { KeyRecord } from './key-record.js';

/**
 * Something that happened to a key in a store, pushed to watchers so caches drop it at once.
 * `resync` (with `keyId: '*'`) says events may have been missed, e.g. the store's push channel
 * reconnected after an outage: drop everything cached from this store.
 */
export interface KeyChange {
  readonly keyId: string;
  readonly type: 'upsert' | 'delete' | 'resync';
}

/**
 * A lifecycle change applied atomically by {@link WritableKeyStore.patch}. Every field only ever
 * shortens a key's life, so concurrent patches give the same result in any order: the earlier of two
 * `revokedAt`/`expiresAt` wins, and a `rotatedTo` already set is kept.
 */
export interface KeyRecordPatch {
  readonly revokedAt?: string;
  readonly expiresAt?: string;
  readonly rotatedTo?: string;
}

/** One key's use, for {@link WritableKeyStore.touch}: the key id and when it was used (ms since the epoch). */
export interface KeyUse {
  readonly keyId: string;
  readonly at: number;
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
  /**
   * Applies a lifecycle change to one record atomically (no lost update against a concurrent writer)
   * and tells watchers; resolves the record as it is now, or undefined when no record has this id.
   * Every store in tollgate has it; `revokeKey`/`rotateKey` fall back to get-then-put without it.
   */
  patch?(keyId: string, patch: KeyRecordPatch): Promise<KeyRecord | undefined>;
  /**
   * Records when keys were last used: raises `lastUsedAt` (never lowers it) on the records that exist,
   * in one batch, and tells no watcher (nothing a cache holds changed). The apiKey method calls it
   * every `lastUsed.flushIntervalMs`, never per request.
   */
  touch?(uses: readonly KeyUse[]): Promise<void>;
}
