import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createContext, type TgContext } from '../context/tg-context.js';
import { createRequest } from '../request/tg-request.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import type { KeyRecord } from '../key-store/key-record.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import { apiKey, defaultArgon2Concurrency, type ApiKeyMethod } from './api-key.js';
import type { ApiKeyOptions } from './api-key-options.js';
import { createApiKey } from './create-api-key.js';
import { formatApiKey, parseApiKey } from './key-format.js';
import { Argon2Pool, perThreadPriority } from './argon2-pool.js';
import * as secretHash from './secret-hash.js';

vi.mock('./secret-hash.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./secret-hash.js')>();
  return { ...original, verifySecret: vi.fn(original.verifySecret) };
});
const verifySecret = vi.mocked(secretHash.verifySecret);
const fast = { memoryCost: 1024, timeCost: 1 };

function contextFor(ip = '203.0.113.7'): TgContext {
  const request = createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: ip, body: () => ({ kind: 'none' }) });
  return createContext({ requestId: 'req_test', request, clientIp: ip, requestIdHeader: 'x-request-id' }).context;
}

const bearer = (value: string) => ({ value, header: 'authorization' });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Holds the next argon2 verification (libuv's path) until the returned function is called. */
async function holdNextArgon2(): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const actual = await vi.importActual<typeof import('./secret-hash.js')>('./secret-hash.js');
  verifySecret.mockImplementationOnce(async (hash, secret) => {
    await held;
    return actual.verifySecret(hash, secret);
  });
  return release;
}

describe('apiKey', () => {
  let store: WritableKeyStore;
  let key: string;
  let record: KeyRecord;
  let clock: number;
  let method: ApiKeyMethod;
  // These tests count and stage argon2 calls through verifySecret, libuv's path; the default worker
  // pool has its own tests below and in argon2-pool.test.ts.
  const make = (extra: Partial<ApiKeyOptions> = {}) => apiKey({ store, now: () => clock, ...extra, argon2: { priority: 'normal', ...extra.argon2 } });

  beforeEach(async () => {
    clock = Date.parse('2026-01-01T00:00:00Z');
    store = memoryKeyStore();
    ({ key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme', roles: ['dev'], scopes: ['inference'], models: ['gpt-4o*'], name: 'laptop', hash: fast, now: () => clock }));
    await store.put(record);
    method = make();
    verifySecret.mockClear();
  });
  afterEach(() => method.close?.());

  it('verifies a good key into a principal and then answers from the cache without argon2', async () => {
    const first = await method.verify(bearer(key), contextFor());
    expect(first.cached).toBe(false);
    expect(first.principal).toMatchObject({ subject: 'alice', kind: 'user', method: 'api_key', keyId: record.id, tenantId: 'acme', roles: ['dev'], scopes: ['inference'], models: ['gpt-4o*'] });
    expect(first.principal.claims).toEqual({ env: 'live', key_name: 'laptop' });
    const second = await method.verify(bearer(key), contextFor());
    expect(second.cached).toBe(true);
    expect(verifySecret).toHaveBeenCalledTimes(1);
  });

  it('shares one argon2 call between concurrent verifications of the same key', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => method.verify(bearer(key), contextFor())));
    expect(results.every((r) => r.principal.keyId === record.id)).toBe(true);
    expect(verifySecret).toHaveBeenCalledTimes(1);
  });

  it('refuses a wrong secret, an unknown id, an expired and a revoked key with the same code', async () => {
    const parts = parseApiKey(key)!;
    const wrongSecret = formatApiKey({ ...parts, secret: 'A'.repeat(43) });
    const unknownId = formatApiKey({ ...parts, keyId: 'ZZZZZZZZZZZZ' });
    expect(await codeOf(method.verify(bearer(wrongSecret), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    expect(await codeOf(method.verify(bearer(unknownId), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    await store.put({ ...record, expiresAt: new Date(clock - 1).toISOString() });
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    await store.put({ ...record, revokedAt: new Date(clock).toISOString() });
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    // Only the wrong secret reached argon2: unknown, expired and revoked keys are refused before it.
    expect(verifySecret).toHaveBeenCalledTimes(1);
  });

  it('refuses malformed keys without touching the store or argon2', async () => {
    const get = vi.spyOn(store, 'get');
    const bad = ['tg_', 'tg_live_short', key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'), `${key}x`, key.replace('tg_live', 'tg_LIVE'), 'tg_' + 'a'.repeat(8192)];
    for (const value of bad) expect(await codeOf(method.verify(bearer(value), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    expect(get).not.toHaveBeenCalled();
    expect(verifySecret).not.toHaveBeenCalled();
  });

  it('refuses keys of environments it does not accept', async () => {
    const testOnly = make({ environments: ['test'] });
    expect(await codeOf(testOnly.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    await testOnly.close?.();
  });

  it('drops a cached verification at once when the store deletes or changes the key', async () => {
    await method.verify(bearer(key), contextFor());
    await store.delete(record.id);
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    await store.put(record);
    await method.verify(bearer(key), contextFor());
    await store.put({ ...record, revokedAt: new Date(clock).toISOString() });
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
  });

  it('refuses another secret for a key id whose key is cached without the store or argon2, until the store changes that id', async () => {
    await method.verify(bearer(key), contextFor());
    const wrong = formatApiKey({ ...parseApiKey(key)!, secret: 'W'.repeat(43) });
    const get = vi.spyOn(store, 'get');
    verifySecret.mockClear();
    const refused = await method.verify(bearer(wrong), contextFor()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'TG_INVALID_CREDENTIAL', status: 401 });
    expect(get).not.toHaveBeenCalled();
    expect(verifySecret).not.toHaveBeenCalled();
    // The good key still answers from the cache.
    expect((await method.verify(bearer(key), contextFor())).cached).toBe(true);
    // The record put again with a new secret under the same id: the change event forgets the old key.
    const { key: newKey, record: newRecord } = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: fast, now: () => clock });
    const reissued = formatApiKey({ ...parseApiKey(newKey)!, keyId: record.id });
    await store.put({ ...newRecord, id: record.id });
    expect((await method.verify(bearer(reissued), contextFor())).cached).toBe(false);
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    get.mockRestore();
  });

  it('counts such refusals toward the per-key-id throttle', async () => {
    const throttled = make({ throttle: { perKeyId: { maxFailures: 2, windowMs: 60_000 }, perIp: false } });
    await throttled.verify(bearer(key), contextFor());
    const wrong = formatApiKey({ ...parseApiKey(key)!, secret: 'W'.repeat(43) });
    for (let i = 0; i < 2; i++) expect(await codeOf(throttled.verify(bearer(wrong), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    expect(await codeOf(throttled.verify(bearer(wrong), contextFor()))).toBe('TG_AUTH_THROTTLED');
    await throttled.close?.();
  });

  it('honours expiry within the cache: a cached key stops working when it expires', async () => {
    await store.put({ ...record, expiresAt: new Date(clock + 5_000).toISOString() });
    await method.verify(bearer(key), contextFor());
    clock += 4_000;
    expect((await method.verify(bearer(key), contextFor())).cached).toBe(true);
    clock += 1_000;
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
  });

  it('re-verifies after the cache TTL', async () => {
    const shortTtl = make({ cache: { ttlMs: 1_000 } });
    await shortTtl.verify(bearer(key), contextFor());
    clock += 1_000;
    expect((await shortTtl.verify(bearer(key), contextFor())).cached).toBe(false);
    expect(verifySecret).toHaveBeenCalledTimes(2);
    await shortTtl.close?.();
  });

  it('throttles failures per key id before argon2 runs, and a cached good key still passes', async () => {
    await method.verify(bearer(key), contextFor());
    const throttled = make({ throttle: { perKeyId: { maxFailures: 3, windowMs: 60_000 }, perIp: false } });
    const wrong = formatApiKey({ ...parseApiKey(key)!, secret: 'B'.repeat(43) });
    for (let i = 0; i < 3; i++) expect(await codeOf(throttled.verify(bearer(wrong), contextFor(`198.51.100.${i}`)))).toBe('TG_INVALID_CREDENTIAL');
    verifySecret.mockClear();
    const error = await throttled.verify(bearer(wrong), contextFor('198.51.100.9')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TG_AUTH_THROTTLED', status: 429 });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(verifySecret).not.toHaveBeenCalled();
    clock += 60_000;
    expect(await codeOf(throttled.verify(bearer(wrong), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
    await throttled.close?.();
  });

  it('throttles failures per client IP, grouping IPv6 by /64', async () => {
    const throttled = make({ throttle: { perKeyId: false, perIp: { maxFailures: 2, windowMs: 60_000 } } });
    const parts = parseApiKey(key)!;
    const unknown = (n: number) => formatApiKey({ ...parts, keyId: `UNKNOWN${String(n).padStart(5, '0')}` });
    expect(await codeOf(throttled.verify(bearer(unknown(1)), contextFor('2001:db8::1')))).toBe('TG_INVALID_CREDENTIAL');
    expect(await codeOf(throttled.verify(bearer(unknown(2)), contextFor('2001:db8::2')))).toBe('TG_INVALID_CREDENTIAL');
    expect(await codeOf(throttled.verify(bearer(unknown(3)), contextFor('2001:db8::ffff')))).toBe('TG_AUTH_THROTTLED');
    expect(await codeOf(throttled.verify(bearer(unknown(4)), contextFor('2001:db8:0:1::1')))).toBe('TG_INVALID_CREDENTIAL');
    await throttled.close?.();
  });

  it('answers 503, never 401, when the store fails or hangs', async () => {
    const failing = apiKey({ store: { get: () => Promise.reject(new Error('connection refused')) } });
    const error = await failing.verify(bearer(key), contextFor()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TG_VERIFIER_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    const hanging = apiKey({ store: { get: () => new Promise(() => undefined) }, storeTimeoutMs: 20 });
    expect(await codeOf(hanging.verify(bearer(key), contextFor()))).toBe('TG_VERIFIER_UNAVAILABLE');
  });

  it('sheds argon2 work past the queue with 503 instead of queueing without bound', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => createApiKey({ subject: 'bob', hash: fast })));
    for (const k of keys) await store.put(k.record);
    const tight = make({ argon2: { maxConcurrent: 1, maxQueue: 2 } });
    const codes = await Promise.all(keys.map((k) => codeOf(tight.verify(bearer(k.key), contextFor()))));
    expect(codes.filter((c) => c === 'resolved')).toHaveLength(3);
    expect(codes.filter((c) => c === 'TG_OVERLOADED')).toHaveLength(3);
    await tight.close?.();
  });

  it('sheds before the store lookup once argon2 is saturated, so a flood costs the store nothing', async () => {
    const other = await createApiKey({ subject: 'bob', hash: fast });
    await store.put(other.record);
    const tight = make({ argon2: { maxConcurrent: 1, maxQueue: 0 } });
    const release = await holdNextArgon2();
    const get = vi.spyOn(store, 'get');
    const running = tight.verify(bearer(key), contextFor());
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(get).toHaveBeenCalledTimes(1);
    const shed = await tight.verify(bearer(other.key), contextFor('203.0.113.8')).catch((e: unknown) => e);
    expect(shed).toMatchObject({ code: 'TG_OVERLOADED', status: 503, retryAfterSeconds: 1 });
    expect(get).toHaveBeenCalledTimes(1);
    release();
    expect((await running).principal.subject).toBe('alice');
    // A free slot again: the same key is looked up and verified.
    expect((await tight.verify(bearer(other.key), contextFor('203.0.113.8'))).principal.subject).toBe('bob');
    expect(get).toHaveBeenCalledTimes(2);
    await tight.close?.();
  });

  it('treats a corrupt stored hash as a server error, not as a bad credential', async () => {
    await store.put({ ...record, hash: '$argon2id$garbage' });
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INTERNAL');
  });

  it('does not cache a verification whose key was revoked while argon2 ran', async () => {
    const release = await holdNextArgon2();
    const pending = method.verify(bearer(key), contextFor());
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.put({ ...record, revokedAt: new Date(clock).toISOString() });
    release();
    await pending;
    expect(method.cache.size).toBe(0);
    expect(await codeOf(method.verify(bearer(key), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
  });

  it.runIf(perThreadPriority())('verifies on the low-priority worker pool by default, and close() ends it (Linux only)', async () => {
    const poolVerify = vi.spyOn(Argon2Pool.prototype, 'verify');
    const poolClose = vi.spyOn(Argon2Pool.prototype, 'close');
    try {
      const pooled = apiKey({ store, now: () => clock });
      // The wrong one first: once the cache knows the id's key, a wrong secret is refused without argon2.
      const wrong = formatApiKey({ env: 'live', keyId: record.id, secret: 'W'.repeat(43) });
      expect(await codeOf(pooled.verify(bearer(wrong), contextFor()))).toBe('TG_INVALID_CREDENTIAL');
      expect((await pooled.verify(bearer(key), contextFor())).principal.subject).toBe('alice');
      expect(poolVerify).toHaveBeenCalledTimes(2);
      expect(verifySecret).not.toHaveBeenCalled();
      await pooled.close?.();
      expect(poolClose).toHaveBeenCalledTimes(1);
    } finally {
      poolVerify.mockRestore();
      poolClose.mockRestore();
    }
  });

  it('keeps a corrupt stored hash a server error on the worker pool too', async () => {
    await store.put({ ...record, hash: '$argon2id$garbage' });
    const pooled = apiKey({ store, now: () => clock, argon2: { priority: 'low' } });
    try {
      expect(await codeOf(pooled.verify(bearer(key), contextFor()))).toBe('TG_INTERNAL');
    } finally {
      await pooled.close?.();
    }
  });

  it('refuses bad options at startup', () => {
    expect(() => apiKey({} as ApiKeyOptions)).toThrow(/store/);
    expect(() => make({ headers: ['authorization'] })).toThrow(/Authorization/);
    expect(() => make({ headers: ['bad header'] })).toThrow(/header name/);
    expect(() => make({ environments: ['Prod'] })).toThrow(/environment/);
    expect(() => apiKey({ store, argon2: { priority: 'lowest' as 'low' } })).toThrow("apiKey.argon2.priority must be 'low' or 'normal', got \"lowest\"");
    expect(() => make({ cache: { ttlMs: 0 } })).toThrow(/ttlMs/);
    expect(() => make({ argon2: { maxConcurrent: 0 } })).toThrow(/maxConcurrent/);
    expect(() => make({ throttle: { perIp: { maxFailures: -1, windowMs: 1 } } })).toThrow(/maxFailures/);
  });

  it('accepts the key from x-api-key and only from headers it was told about', () => {
    expect(method.accepts({ value: key, header: 'x-api-key' })).toBe(true);
    expect(method.accepts({ value: key, header: 'x-other' })).toBe(false);
    expect(method.accepts({ value: 'eyJhbGciOi.x.y', header: 'authorization' })).toBe(false);
  });
});

describe('argon2 pool size', () => {
  it('defaults to one less than the cores, at least one, so the event loop keeps a core under a flood', () => {
    expect([1, 2, 4, 16].map((cores) => defaultArgon2Concurrency(cores))).toEqual([1, 1, 3, 15]);
    expect(defaultArgon2Concurrency()).toBeGreaterThanOrEqual(1);
  });
});
