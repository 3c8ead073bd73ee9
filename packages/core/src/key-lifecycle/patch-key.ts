// Applies a lifecycle patch through the store's atomic patch, or by get-then-put for a store without one.
import { applyKeyRecordPatch, parseKeyRecordPatch } from '../key-store/key-record-patch.js';
import type { KeyRecord } from '../key-store/key-record.js';
import type { KeyRecordPatch, WritableKeyStore } from '../key-store/key-store.js';
import { keyNotFound, storeCall } from './store-call.js';

/**
 * Revokes, shortens or marks a key as rotated, atomically where the store can (every store in tollgate
 * can); resolves the record as it is now, or throws `TG_NOT_FOUND` / `TG_STORE_UNAVAILABLE`.
 *
 * @example
 * await patchKey(store, keyId, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
 */
export async function patchKey(store: WritableKeyStore, keyId: string, patch: KeyRecordPatch): Promise<KeyRecord> {
  const checked = parseKeyRecordPatch(patch, 'patchKey()');
  const after = await storeCall(async () => {
    if (typeof store.patch === 'function') return store.patch(keyId, checked);
    // A third-party store without patch: not atomic against another writer of the same key.
    const record = await store.get(keyId);
    if (record === undefined) return undefined;
    const next = applyKeyRecordPatch(record, checked);
    await store.put(next);
    return next;
  });
  if (after === undefined) throw keyNotFound(keyId);
  return after;
}
