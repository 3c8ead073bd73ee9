// What is stored for an API key: an argon2id hash of the secret and the identity it stands for; never the plaintext.

/** A stored API key. Dates are ISO 8601 strings so every store can hold them as they are. */
export interface KeyRecord {
  /** The key id, the `<keyId>` part of the key. */
  readonly id: string;
  /** The `<env>` part of the key (`live`, `test`, …). */
  readonly env: string;
  /** argon2id PHC string of the secret part. */
  readonly hash: string;
  /** Who the key acts as: a user id or a service name. */
  readonly subject: string;
  /** A personal key or a service account's key. */
  readonly kind: 'user' | 'service';
  readonly tenantId?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Model name patterns this key may use; absent means the policy decides. */
  readonly models?: readonly string[];
  /** Human label, e.g. "ci pipeline". */
  readonly name?: string;
  readonly createdAt: string;
  /** After this instant the key is refused. */
  readonly expiresAt?: string;
  /** From this instant the key is refused. */
  readonly revokedAt?: string;
  /** Free-form, non-secret attributes. */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
  /** The key that replaced this one (set by rotation); this key stays valid until its `expiresAt`, the grace period. */
  readonly rotatedTo?: string;
  /** The key this one replaced (set by rotation). */
  readonly rotatedFrom?: string;
  /** When the key last authenticated a request, as written in batches by `WritableKeyStore.touch`; approximate. */
  readonly lastUsedAt?: string;
}

/** Why a record no longer authenticates, or undefined when it still does at `now`. */
export function keyRecordInactive(record: KeyRecord, now: number): 'expired' | 'revoked' | undefined {
  // An unreadable date fails closed: a store that skipped validation must not serve a key forever.
  const passed = (iso: string | undefined) => iso !== undefined && !(Date.parse(iso) > now);
  if (passed(record.revokedAt)) return 'revoked';
  if (passed(record.expiresAt)) return 'expired';
  return undefined;
}
