// Lifecycle changes to a key record as pure functions, so every store merges revocation, expiry, rotation and last use alike.
import { ConfigError } from '../errors/tollgate-error.js';
import type { KeyRecord } from './key-record.js';
import { keyRecordSchema } from './key-record-schema.js';
import type { KeyRecordPatch, KeyUse } from './key-store.js';

// Picked from the strict record schema, so it is strict too: an unknown field is refused.
const patchSchema = keyRecordSchema.pick({ revokedAt: true, expiresAt: true, rotatedTo: true });

/**
 * Checks an untyped patch (dates, key id, no other fields); throws a ConfigError naming `where`.
 *
 * @example
 * parseKeyRecordPatch({ revokedAt: new Date().toISOString() }, 'redisKeyStore.patch()');
 */
export function parseKeyRecordPatch(value: unknown, where: string): KeyRecordPatch {
  const result = patchSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'patch'}: ${issue.message}`).join('; ');
  throw new ConfigError(`Invalid key patch in ${where}: ${problems}`, { cause: result.error });
}

/** The earlier of two ISO instants; on a tie, or when `next` is absent, the current text is kept as written. */
function earlier(current: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined) return current;
  if (current === undefined) return next;
  return Date.parse(next) < Date.parse(current) ? next : current;
}

/**
 * The record after a patch: the earlier `revokedAt` and `expiresAt` win, an existing `rotatedTo` stays.
 * Applying patches in any order gives the same record, which is what makes concurrent writers safe.
 *
 * @example
 * applyKeyRecordPatch(record, { revokedAt: '2030-01-01T00:00:00Z' }).revokedAt // the earlier of the two
 */
export function applyKeyRecordPatch(record: KeyRecord, patch: KeyRecordPatch): KeyRecord {
  const revokedAt = earlier(record.revokedAt, patch.revokedAt);
  const expiresAt = earlier(record.expiresAt, patch.expiresAt);
  const rotatedTo = record.rotatedTo ?? patch.rotatedTo;
  return {
    ...record,
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(rotatedTo === undefined ? {} : { rotatedTo }),
  };
}

/**
 * The record with `lastUsedAt` raised to `at` (never lowered), or the same object when nothing changes.
 *
 * @example
 * withLastUse(record, Date.now()).lastUsedAt // now, as ISO 8601
 */
export function withLastUse(record: KeyRecord, at: number): KeyRecord {
  if (!Number.isFinite(at)) return record;
  if (record.lastUsedAt !== undefined && !(Date.parse(record.lastUsedAt) < at)) return record;
  return { ...record, lastUsedAt: new Date(at).toISOString() };
}

/**
 * The latest use of each key in a batch (one entry per key id), dropping entries with a bad time.
 *
 * @example
 * latestUses([{ keyId: 'a', at: 1 }, { keyId: 'a', at: 5 }]) // [{ keyId: 'a', at: 5 }]
 */
export function latestUses(uses: readonly KeyUse[]): KeyUse[] {
  const latest = new Map<string, number>();
  for (const { keyId, at } of uses) {
    if (typeof keyId !== 'string' || !Number.isFinite(at)) continue;
    const seen = latest.get(keyId);
    if (seen === undefined || seen < at) latest.set(keyId, at);
  }
  return [...latest].map(([keyId, at]) => ({ keyId, at }));
}
