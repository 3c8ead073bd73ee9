// Rotates a key: a new key for the same identity; the old one works for a grace period, then is refused.
import { createApiKey, type CreatedApiKey } from '../api-key/create-api-key.js';
import type { SecretHashOptions } from '../api-key/secret-hash.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { keyRecordInactive, type KeyRecord } from '../key-store/key-record.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import { patchKey } from './patch-key.js';
import { keyNotFound, storeCall } from './store-call.js';

/** Options of {@link rotateKey}. */
export interface RotateKeyOptions {
  /** How long the old key keeps working; 0 refuses it at once. At most 90 days. @default 86400 (one day) */
  readonly graceSeconds?: number;
  /** Expiry of the new key. @default the old key's expiry (rotation renews the secret, not the key's lifetime) */
  readonly expiresAt?: Date | string;
  /** argon2id cost of the new key's hash. */
  readonly hash?: SecretHashOptions;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The new key (shown once), its record, and the old record as it is now (with `expiresAt` and `rotatedTo`). */
export interface RotatedKey extends CreatedApiKey {
  readonly previous: KeyRecord;
}

const maxGraceSeconds = 90 * 86_400;

function graceOf(value: number | undefined): number {
  const grace = value ?? 86_400;
  if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0 || grace > maxGraceSeconds) {
    throw new ConfigError(`rotateKey: graceSeconds must be between 0 and ${maxGraceSeconds} (90 days); got ${String(value)}`);
  }
  return grace;
}

/**
 * Issues a new key with the same subject, kind, tenant, roles, scopes, models, name, environment and
 * metadata (`rotatedFrom` names the old one), then, atomically, gives the old key an expiry of now plus
 * the grace period (never later than it already had) and `rotatedTo`. The old key's change event drops
 * its cached verifications everywhere, so the new expiry applies at once. A revoked or expired key, or
 * one already rotated, is `TG_CONFLICT` (when two rotations race, the loser's new key is deleted).
 *
 * @example
 * const { key, previous } = await rotateKey(store, 'AbC123dEf456', { graceSeconds: 3600 });
 * console.log(`new key (shown once): ${key}; the old one works until ${previous.expiresAt}`);
 */
export async function rotateKey(store: WritableKeyStore, keyId: string, options: RotateKeyOptions = {}): Promise<RotatedKey> {
  const graceSeconds = graceOf(options.graceSeconds);
  const now = (options.now ?? Date.now)();
  const old = await storeCall(() => store.get(keyId));
  if (old === undefined) throw keyNotFound(keyId);
  const inactive = keyRecordInactive(old, now);
  if (inactive !== undefined) throw new TollgateError('TG_CONFLICT', { message: `Key ${keyId} is ${inactive} and cannot be rotated; create a new key instead.` });
  if (old.rotatedTo !== undefined) throw new TollgateError('TG_CONFLICT', { message: `Key ${keyId} was already rotated to ${old.rotatedTo}.` });
  const expiresAt = options.expiresAt ?? old.expiresAt;
  let created: CreatedApiKey;
  try {
    created = await createApiKey({
      subject: old.subject,
      kind: old.kind,
      roles: old.roles,
      scopes: old.scopes,
      env: old.env,
      now: () => now,
      ...(old.tenantId === undefined ? {} : { tenantId: old.tenantId }),
      ...(old.models === undefined ? {} : { models: old.models }),
      ...(old.name === undefined ? {} : { name: old.name }),
      ...(old.metadata === undefined ? {} : { metadata: old.metadata }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(options.hash === undefined ? {} : { hash: options.hash }),
    });
  } catch (error) {
    throw new ConfigError(`rotateKey: ${(error as Error).message}`, { cause: error });
  }
  const record: KeyRecord = { ...created.record, rotatedFrom: old.id };
  await storeCall(() => store.put(record));
  let previous: KeyRecord;
  try {
    previous = await patchKey(store, old.id, { expiresAt: new Date(now + graceSeconds * 1000).toISOString(), rotatedTo: record.id });
  } catch (error) {
    // The caller never sees the new key, so it must not stay behind as a working credential.
    await store.delete(record.id).catch(() => undefined);
    throw error;
  }
  if (previous.rotatedTo !== record.id) {
    // Another rotation won the race; its key stands, this one never existed.
    await storeCall(() => store.delete(record.id));
    throw new TollgateError('TG_CONFLICT', { message: `Key ${keyId} was already rotated to ${previous.rotatedTo}.` });
  }
  return { key: created.key, record, previous };
}
