// Issues a new API key: the plaintext is returned once; only the record (with an argon2id hash) is kept.
import type { KeyRecord } from '../key-store/key-record.js';
import { assertKeyEnv, formatApiKey, newKeyId, newSecret } from './key-format.js';
import { hashSecret, type SecretHashOptions } from './secret-hash.js';

/** What the new key stands for. */
export interface CreateApiKeyOptions {
  readonly subject: string;
  /** @default 'user' */
  readonly kind?: 'user' | 'service';
  readonly tenantId?: string;
  /** @default [] */
  readonly roles?: readonly string[];
  /** @default [] */
  readonly scopes?: readonly string[];
  readonly models?: readonly string[];
  readonly name?: string;
  /** @default 'live' */
  readonly env?: string;
  readonly expiresAt?: Date | string;
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
  /** argon2id cost; the defaults follow OWASP. */
  readonly hash?: SecretHashOptions;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** A new key: show `key` to its owner once and store only `record`. */
export interface CreatedApiKey {
  readonly key: string;
  readonly record: KeyRecord;
}

function isoDate(value: Date | string, what: string): string {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`${what} is not a valid date: ${String(value)}`);
  return new Date(ms).toISOString();
}

function stringList(value: readonly string[] | undefined, what: string): readonly string[] {
  const list = value ?? [];
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new TypeError(`${what} must be a list of non-empty strings`);
  }
  return [...list];
}

/**
 * Creates a key with 256 bits of CSPRNG secret and hashes the secret with argon2id.
 *
 * @example
 * const { key, record } = await createApiKey({ subject: 'svc-batch', kind: 'service', tenantId: 'acme', roles: ['inference'] });
 * await store.put(record);
 * console.log(`Your key (shown once): ${key}`);
 */
export async function createApiKey(options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const env = options.env ?? 'live';
  assertKeyEnv(env);
  if (typeof options.subject !== 'string' || options.subject.length === 0 || options.subject.length > 256) {
    throw new TypeError('subject must be a non-empty string of at most 256 characters');
  }
  const kind = options.kind ?? 'user';
  if (kind !== 'user' && kind !== 'service') throw new TypeError(`kind must be "user" or "service"; got ${JSON.stringify(kind)}`);
  const keyId = newKeyId();
  const secret = newSecret();
  const now = options.now?.() ?? Date.now();
  const record: KeyRecord = {
    id: keyId,
    env,
    hash: await hashSecret(secret, options.hash),
    subject: options.subject,
    kind,
    roles: stringList(options.roles, 'roles'),
    scopes: stringList(options.scopes, 'scopes'),
    createdAt: new Date(now).toISOString(),
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
    ...(options.models === undefined ? {} : { models: stringList(options.models, 'models') }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.expiresAt === undefined ? {} : { expiresAt: isoDate(options.expiresAt, 'expiresAt') }),
    ...(options.metadata === undefined ? {} : { metadata: { ...options.metadata } }),
  };
  return { key: formatApiKey({ env, keyId, secret }), record };
}
