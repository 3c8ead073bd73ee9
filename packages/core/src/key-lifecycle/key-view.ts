// What may be shown of a key record (CLI listings, admin responses): everything but the hash, plus its status.
import { keyRecordInactive, type KeyRecord } from '../key-store/key-record.js';

/** Where a key is in its life at a given instant. */
export type KeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** A key record without its secret hash, with its status: safe to print, log and return from an API. */
export type KeyView = Omit<KeyRecord, 'hash'> & { readonly status: KeyStatus };

/**
 * The status of a key at `now`: `revoked` or `expired` when it no longer authenticates, `rotating`
 * while a replaced key is inside its grace period, else `active`.
 *
 * @example
 * keyStatus(record, Date.now()) // 'active'
 */
export function keyStatus(record: KeyRecord, now: number): KeyStatus {
  const inactive = keyRecordInactive(record, now);
  if (inactive !== undefined) return inactive;
  return record.rotatedTo === undefined ? 'active' : 'rotating';
}

/**
 * The record as it may be shown: a copy without `hash`. The plaintext key is never stored, so nothing
 * here can authenticate; the hash is left out too, so no listing hands out material to guess against.
 *
 * @example
 * console.log(JSON.stringify(keyView(record)));
 */
export function keyView(record: KeyRecord, now: number = Date.now()): KeyView {
  const { hash: _hash, ...rest } = structuredClone(record);
  return { ...rest, status: keyStatus(record, now) };
}
