// Stores that connect in the background: calls wait for the attempt, fail fast after a failure, retry, relay changes, close once.
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../api-key/create-api-key.js';
import type { KeyChange, WritableKeyStore } from '../key-store/key-store.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import { memoryRateLimitStore } from '../rate-limit/memory-rate-limit-store.js';
import { memoryTenantStore } from '../tenant-store/memory-tenant-store.js';
import { DeferredConnection } from './deferred-connection.js';
import { deferredKeyStore, deferredRateLimitStore, deferredTenantStore } from './deferred-stores.js';

/** A promise with its resolve and reject, to decide when a connection attempt ends. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeferredConnection', () => {
  it('lends the value once connected; calls made before wait for the attempt', async () => {
    const attempt = later<{ name: string }>();
    const connection = new DeferredConnection({ connect: () => attempt.promise, close: async () => undefined });
    expect(connection.current).toBeUndefined();
    const early = connection.use();
    attempt.resolve({ name: 'store' });
    expect(await early).toEqual({ name: 'store' });
    expect(connection.use()).toEqual({ name: 'store' });
    await expect(connection.ready()).resolves.toBeUndefined();
  });

  it('fails calls at once after a failed attempt, retries with backoff, and heals', async () => {
    let attempts = 0;
    const connection = new DeferredConnection({
      connect: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error(`down ${attempts}`);
        return 'up';
      },
      close: async () => undefined,
      retryMinMs: 20,
    });
    await expect(connection.ready()).rejects.toThrow('down 1');
    await expect(Promise.resolve(connection.use())).rejects.toThrow('down 1');
    await expect.poll(() => connection.current, { timeout: 2_000, interval: 10 }).toBe('up');
    expect(attempts).toBe(3);
    await connection.close();
  });

  it('does not retry a permanent failure, and stops retrying once closed', async () => {
    let attempts = 0;
    const permanent = new DeferredConnection({ connect: async () => Promise.reject(new Error(`missing ${++attempts}`)), close: async () => undefined, isPermanent: () => true, retryMinMs: 5 });
    await expect(permanent.ready()).rejects.toThrow('missing 1');
    await sleep(50);
    expect(attempts).toBe(1);
    let tries = 0;
    const closing = new DeferredConnection({ connect: async () => Promise.reject(new Error(`down ${++tries}`)), close: async () => undefined, retryMinMs: 5 });
    await expect(closing.ready()).rejects.toThrow();
    await closing.close();
    const after = tries;
    await sleep(50);
    expect(tries).toBe(after);
    await expect(closing.ready()).rejects.toThrow('closed');
  });

  it('closes a value that connects after close() was called', async () => {
    const attempt = later<string>();
    const closed: string[] = [];
    const connection = new DeferredConnection({ connect: () => attempt.promise, close: async (value: string) => void closed.push(value) });
    const closing = connection.close();
    attempt.resolve('late');
    await closing;
    expect(closed).toEqual(['late']);
    expect(connection.current).toBeUndefined();
  });
});

describe('deferred stores', () => {
  it('a key store relays the real store’s changes to watchers that subscribed before it connected', async () => {
    const attempt = later<WritableKeyStore>();
    const keys = deferredKeyStore({ connect: () => attempt.promise });
    const changes: KeyChange[] = [];
    keys.watch!((change) => changes.push(change));
    const lookup = keys.get('abc');
    const real = memoryKeyStore();
    attempt.resolve(real);
    expect(await lookup).toBeUndefined();
    const { record } = await createApiKey({ subject: 'alice', hash: { memoryCost: 1024, timeCost: 1 } });
    await real.put(record);
    expect(changes).toEqual([{ keyId: record.id, type: 'upsert' }]);
    await keys.touch!([{ keyId: record.id, at: Date.parse('2030-01-01T00:00:00Z') }]);
    expect((await keys.get(record.id))?.lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
    await keys.close();
    await real.delete(record.id);
    expect(changes).toHaveLength(1);
    await expect(keys.get('abc')).rejects.toThrow('closed');
  });

  it('a key store rejects lookups while its server cannot be reached, so the apiKey method answers 503', async () => {
    const unreachable = Object.assign(new Error('redisKeyStore: cannot connect to redis://:***@10.0.0.5:6379: ECONNREFUSED'), { code: 'TG_STORE_UNREACHABLE' });
    const keys = deferredKeyStore({ connect: async () => Promise.reject(unreachable), retryMinMs: 60_000 });
    await expect(keys.ready()).rejects.toBe(unreachable);
    await expect(keys.get('abc')).rejects.toBe(unreachable);
    await expect(keys.patch!('abc', { revokedAt: new Date().toISOString() })).rejects.toBe(unreachable);
    await keys.close();
  });

  it('a tenant store forwards every call once connected', async () => {
    const tenants = deferredTenantStore({ connect: async () => memoryTenantStore([{ id: 'acme', status: 'active', tags: [] }]) });
    expect(await tenants.get('acme')).toMatchObject({ id: 'acme' });
    await tenants.put({ id: 'globex', status: 'suspended', tags: [] });
    expect((await tenants.list()).map((t) => t.id)).toEqual(['acme', 'globex']);
    expect(await tenants.delete('globex')).toBe(true);
    await tenants.close();
  });

  it('a rate-limit store uses the local clock until the real one is there, then the real store’s', async () => {
    const attempt = later<ReturnType<typeof memoryRateLimitStore>>();
    const store = deferredRateLimitStore({ connect: () => attempt.promise });
    expect(Math.abs(store.now() - Date.now())).toBeLessThan(1_000);
    attempt.resolve(memoryRateLimitStore({ now: () => 42_000 }));
    await store.ready();
    expect(store.now()).toBe(42_000);
    const result = await store.reserve({ id: 'r1', counters: [], leases: [{ key: 'l', limit: 1, enforce: true }], output: { min: 0, max: 0 }, ttlMs: 1_000 });
    expect(result.granted).toBe(true);
    await store.settle({ id: 'r1', counters: [], leaseKeys: ['l'] });
    await store.close();
  });
});
