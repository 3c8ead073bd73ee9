// Revokes a key: it is refused from now on, on every instance whose store pushes changes.
import type { KeyRecord } from '../key-store/key-record.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import { patchKey } from './patch-key.js';

/** Options of {@link revokeKey}. */
export interface RevokeKeyOptions {
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * Sets `revokedAt` to now (an earlier revocation is kept), atomically. The record stays in the store, so
 * listings and audits still show who the key was; the store's change event drops cached verifications
 * of it at once on every instance watching that store. Revoking twice is harmless.
 *
 * @example
 * const record = await revokeKey(store, 'AbC123dEf456');
 * console.log(record.revokedAt);
 */
export async function revokeKey(store: WritableKeyStore, keyId: string, options: RevokeKeyOptions = {}): Promise<KeyRecord> {
  const at = new Date((options.now ?? Date.now)()).toISOString();
  return patchKey(store, keyId, { revokedAt: at });
}
