// The API key method: parse and checksum, cached verification, failure throttles, then bounded argon2.
import { availableParallelism } from 'node:os';
import type { Principal } from '../context/principal.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import type { AuthMethod, Credential, Verified } from '../authenticate/auth-method.js';
import { keyRecordInactive, type KeyRecord } from '../key-store/key-record.js';
import type { KeyStore, WritableKeyStore } from '../key-store/key-store.js';
import { headerNames, wholeNumber } from '../options/option-checks.js';
import type { ApiKeyOptions, FailureThrottleOptions } from './api-key-options.js';
import { Argon2Pool, perThreadPriority } from './argon2-pool.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { FailureThrottle } from './failure-throttle.js';
import { assertKeyEnv, maxApiKeyLength, parseApiKey, type ApiKeyParts } from './key-format.js';
import { throttleKeyForIp } from './throttle-key.js';
import { loadArgon2, verifySecret } from './secret-hash.js';
import { VerifiedKeyCache } from './verified-key-cache.js';
import { LastUsedTracker } from './last-used-tracker.js';

/** The API key method, with its cache exposed for operational use (metrics, manual eviction). */
export interface ApiKeyMethod extends AuthMethod {
  readonly name: 'api_key';
  readonly cache: VerifiedKeyCache;
  /** The store it reads, e.g. to add a key at start. */
  readonly store: KeyStore;
}

function throttleFrom(option: FailureThrottleOptions | false | undefined, name: string, fallback: FailureThrottleOptions, maxTracked: number, now: () => number): FailureThrottle | undefined {
  if (option === false) return undefined;
  const chosen = option ?? fallback;
  return new FailureThrottle({
    maxFailures: wholeNumber(chosen.maxFailures, `${name}.maxFailures`, fallback.maxFailures, 1, 1_000_000),
    windowMs: wholeNumber(chosen.windowMs, `${name}.windowMs`, fallback.windowMs, 1, 86_400_000),
    maxTracked,
    now,
  });
}

function toPrincipal(record: KeyRecord): Principal {
  return Object.freeze({
    subject: record.subject,
    kind: record.kind,
    method: 'api_key',
    keyId: record.id,
    ...(record.tenantId === undefined ? {} : { tenantId: record.tenantId }),
    roles: Object.freeze([...record.roles]),
    scopes: Object.freeze([...record.scopes]),
    ...(record.models === undefined ? {} : { models: Object.freeze([...record.models]) }),
    claims: Object.freeze({ env: record.env, ...(record.name === undefined ? {} : { key_name: record.name }), ...(record.metadata ?? {}) }),
  } satisfies Principal);
}

function notAfter(record: KeyRecord): number {
  const times = [record.expiresAt, record.revokedAt].filter((t): t is string => t !== undefined).map((t) => Date.parse(t));
  return Math.min(Number.POSITIVE_INFINITY, ...times);
}

/**
 * One argon2 verification less than there are cores (at least one): a flood of wrong keys then keeps
 * every core but one busy at most, and the event loop (valid requests, cache hits) keeps a core.
 */
export function defaultArgon2Concurrency(cores: number = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** Where verifications run: low-priority worker threads, or libuv's pool at the process's priority. */
interface Argon2Verifier {
  verify(phc: string, secret: string): Promise<boolean>;
  close(): Promise<void>;
}

function argon2Verifier(priority: unknown, concurrency: number): Argon2Verifier {
  if (priority !== undefined && priority !== 'low' && priority !== 'normal') throw new ConfigError(`apiKey.argon2.priority must be 'low' or 'normal', got ${JSON.stringify(priority)}`);
  // Only where a thread can lower its own priority: elsewhere workers would cost memory and change nothing.
  if (priority !== 'normal' && perThreadPriority()) return new Argon2Pool({ size: concurrency });
  return { verify: verifySecret, close: async () => {} };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`key store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The batch writer of last-used times, when the store can take them and they are not turned off. */
function lastUsedTrackerFor(options: ApiKeyOptions, now: () => number): LastUsedTracker | undefined {
  const { store } = options;
  const config = options.lastUsed;
  const touch = (store as Partial<WritableKeyStore>).touch;
  if (config === false || typeof touch !== 'function') return undefined;
  if (config !== undefined && (config === null || typeof config !== 'object')) throw new ConfigError('apiKey.lastUsed must be false or an object');
  if (config?.onError !== undefined && typeof config.onError !== 'function') throw new ConfigError('apiKey.lastUsed.onError must be a function');
  return new LastUsedTracker({
    touch: (uses) => touch.call(store, uses),
    flushIntervalMs: wholeNumber(config?.flushIntervalMs, 'apiKey.lastUsed.flushIntervalMs', 60_000, 10, 86_400_000),
    maxPending: wholeNumber(config?.maxPending, 'apiKey.lastUsed.maxPending', 100_000, 1, 10_000_000),
    onError: config?.onError ?? ((error) => process.emitWarning(error)),
    now,
  });
}

/**
 * Authenticates `tg_<env>_<keyId>_<secret><checksum>` keys from `Authorization: Bearer` or `x-api-key`.
 *
 * @example
 * const store = memoryKeyStore();
 * app.use(tollgate(gate({ authenticate: { methods: [apiKey({ store })] } })));
 */
export function apiKey(options: ApiKeyOptions): ApiKeyMethod {
  if (options === null || typeof options !== 'object' || typeof options.store?.get !== 'function') {
    throw new ConfigError('apiKey: options.store must be a KeyStore (an object with get(keyId))');
  }
  const { store } = options;
  // Now, not at the first wrong key: a binding that cannot load is a startup ConfigError.
  loadArgon2();
  const now = options.now ?? Date.now;
  const headers = headerNames(options.headers, 'apiKey.headers', ['x-api-key']);
  if (headers.includes('authorization')) throw new ConfigError('apiKey.headers: Authorization is always read; list only extra headers');
  const environments = options.environments === undefined ? undefined : new Set(options.environments);
  for (const env of environments ?? []) {
    try {
      assertKeyEnv(env);
    } catch (error) {
      throw new ConfigError(`apiKey.environments: ${(error as Error).message}`);
    }
  }
  const cache = new VerifiedKeyCache({
    ttlMs: wholeNumber(options.cache?.ttlMs, 'apiKey.cache.ttlMs', 30_000, 1, 3_600_000),
    maxEntries: wholeNumber(options.cache?.maxEntries, 'apiKey.cache.maxEntries', 10_000, 1, 10_000_000),
    now,
  });
  const argon2Concurrency = wholeNumber(options.argon2?.maxConcurrent, 'apiKey.argon2.maxConcurrent', defaultArgon2Concurrency(), 1, 64);
  const argon2Slots = new ConcurrencyLimiter(argon2Concurrency, wholeNumber(options.argon2?.maxQueue, 'apiKey.argon2.maxQueue', 64, 0, 100_000));
  const argon2 = argon2Verifier(options.argon2?.priority, argon2Concurrency);
  const maxTracked = wholeNumber(options.throttle?.maxTracked, 'apiKey.throttle.maxTracked', 100_000, 1, 10_000_000);
  const perKeyId = throttleFrom(options.throttle?.perKeyId, 'apiKey.throttle.perKeyId', { maxFailures: 10, windowMs: 60_000 }, maxTracked, now);
  const perIp = throttleFrom(options.throttle?.perIp, 'apiKey.throttle.perIp', { maxFailures: 50, windowMs: 60_000 }, maxTracked, now);
  const storeTimeoutMs = wholeNumber(options.storeTimeoutMs, 'apiKey.storeTimeoutMs', 2_000, 1, 60_000);
  const inFlight = new Map<string, Promise<Principal>>();
  // A resync means the store's push channel missed events (an outage): nothing cached can be trusted.
  const unwatch = store.watch?.((change) => (change.type === 'resync' ? cache.clear() : cache.dropKey(change.keyId)));
  const lastUsed = lastUsedTrackerFor(options, now);

  const refuse = (keyId: string, ipKey: string | undefined): never => {
    perKeyId?.recordFailure(keyId);
    if (ipKey !== undefined) perIp?.recordFailure(ipKey);
    throw new TollgateError('TG_INVALID_CREDENTIAL');
  };

  async function verifyFresh(parts: ApiKeyParts, fingerprint: string, clientIp: string | undefined): Promise<Principal> {
    const ipKey = clientIp === undefined ? undefined : throttleKeyForIp(clientIp);
    const checkThrottles = (): void => {
      const waitMs = Math.max(perKeyId?.retryAfterMs(parts.keyId) ?? 0, ipKey === undefined ? 0 : (perIp?.retryAfterMs(ipKey) ?? 0));
      if (waitMs > 0) throw new TollgateError('TG_AUTH_THROTTLED', { retryAfterSeconds: waitMs / 1000 });
    };
    checkThrottles();
    // With a store that reports its changes, the cache knows each id's one key: any other is refused
    // without a store call or argon2, and counts as a failure like any wrong secret.
    if (store.watch !== undefined && cache.knowsOtherKey(parts.keyId, fingerprint)) return refuse(parts.keyId, ipKey);
    // argon2's queue is full, so the request would be shed after the lookup anyway: shed it before,
    // so that a flood of wrong keys costs the store (Redis, PostgreSQL) no round trips.
    if (argon2Slots.saturated) throw new TollgateError('TG_OVERLOADED', { retryAfterSeconds: 1 });
    const generation = cache.generation(parts.keyId);
    let record: KeyRecord | undefined;
    try {
      record = await withTimeout(store.get(parts.keyId), storeTimeoutMs);
    } catch (cause) {
      throw new TollgateError('TG_VERIFIER_UNAVAILABLE', { retryAfterSeconds: 1, cause });
    }
    if (record === undefined || record.env !== parts.env || keyRecordInactive(record, now()) !== undefined) {
      return refuse(parts.keyId, ipKey);
    }
    const hash = record.hash;
    let matches: boolean;
    try {
      // Checked again once a slot is free: failures recorded while this request queued count too.
      matches = await argon2Slots.run(() => {
        checkThrottles();
        return argon2.verify(hash, parts.secret);
      });
    } catch (cause) {
      if (cause instanceof TollgateError) throw cause;
      // A stored hash argon2 cannot read is corrupt data on our side, not a bad credential.
      throw new TollgateError('TG_INTERNAL', { cause });
    }
    if (!matches) return refuse(parts.keyId, ipKey);
    const principal = toPrincipal(record);
    cache.set(fingerprint, principal, generation, notAfter(record));
    return principal;
  }

  return {
    name: 'api_key',
    headers,
    cache,
    store,
    accepts(credential: Credential) {
      return credential.value.startsWith('tg_') && (credential.header === 'authorization' || headers.includes(credential.header));
    },
    async verify(credential: Credential, context): Promise<Verified> {
      if (credential.value.length > maxApiKeyLength) throw new TollgateError('TG_INVALID_CREDENTIAL');
      const fingerprint = cache.fingerprint(credential.value);
      const hit = cache.get(fingerprint);
      if (hit !== undefined) {
        lastUsed?.note(hit.keyId!);
        return { principal: hit, cached: true };
      }
      const parts = parseApiKey(credential.value);
      if (parts === undefined || (environments !== undefined && !environments.has(parts.env))) {
        throw new TollgateError('TG_INVALID_CREDENTIAL');
      }
      let flight = inFlight.get(fingerprint);
      if (flight === undefined) {
        flight = verifyFresh(parts, fingerprint, context.clientIp).finally(() => inFlight.delete(fingerprint));
        inFlight.set(fingerprint, flight);
      }
      const principal = await flight;
      lastUsed?.note(principal.keyId!);
      return { principal, cached: false };
    },
    async close() {
      unwatch?.();
      await Promise.all([lastUsed?.close(), argon2.close()]);
    },
  };
}
