// What every store with a server must do when the server goes away and comes back: 503s, no crash, no hang, a resync.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKey, gate, issueKey, revokeKey, type KeyChange, type Tenant, type TenantChange } from '@tollgate/core';
import type { KeyStoreUnderTest } from './key-store-conformance.js';
import { refusalOf, statusOf } from './key-lifecycle-conformance.js';
import type { TenantStoreUnderTest } from './tenant-store-conformance.js';
import { waitFor, within } from './wait-for.js';

/** Stops and starts the server (or the network path) a store depends on. */
export interface StoreOutage {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface KeyStoreWithOutage extends KeyStoreUnderTest {
  readonly outage: StoreOutage;
}

export interface TenantStoreWithOutage extends TenantStoreUnderTest {
  readonly outage: StoreOutage;
}

const fast = { memoryCost: 1024, timeCost: 1 };
// Generous: a reconnect backs off up to a few seconds; a store call that hangs longer than this fails the test.
const settle = 10_000;
const recover = 20_000;
const answers = (call: () => Promise<unknown>) => async () => call().then(() => true, () => false);

/**
 * Registers the outage test of a key store whose server a test can stop.
 *
 * @example
 * describeKeyStoreOutage('redisKeyStore', async () => ({ store, outage: { stop: redis.kill, start: redis.start }, cleanup }));
 */
export function describeKeyStoreOutage(name: string, make: () => Promise<KeyStoreWithOutage>): void {
  describe(`${name} (outage conformance)`, () => {
    let subject: KeyStoreWithOutage;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.outage.start().catch(() => undefined);
      await subject.cleanup();
    });

    it('answers 503 for keys it must look up, serves cached ones, never hangs, and resyncs when the server is back', async () => {
      const { store, outage } = subject;
      const events: KeyChange[] = [];
      store.watch!((change) => events.push(change));
      const method = apiKey({ store, storeTimeoutMs: 1_000, lastUsed: false });
      const tg = gate({ authenticate: { methods: [method] } });
      try {
        const cached = await issueKey(store, { subject: 'alice', tenantId: 'acme', hash: fast });
        const cold = await issueKey(store, { subject: 'bob', tenantId: 'acme', hash: fast });
        expect(await statusOf(tg, cached.key)).toBe(200);
        await outage.stop();
        expect(await within(statusOf(tg, cached.key), settle, 'a request with a cached key')).toBe(200);
        const refused = await within(refusalOf(tg, cold.key), settle, 'a request with an uncached key');
        expect(refused?.status).toBe(503);
        expect(refused?.headers['retry-after']).toBe('1');
        expect(JSON.parse(refused!.body).error.tg_code).toBe('TG_VERIFIER_UNAVAILABLE');
        await expect(within(store.get(cold.record.id), settle, 'get')).rejects.toThrow();
        await expect(within(revokeKey(store, cold.record.id), settle, 'revokeKey')).rejects.toMatchObject({ code: 'TG_STORE_UNAVAILABLE' });
        await outage.start();
        await waitFor(() => events.some((e) => e.type === 'resync'), 'a resync event after the server came back', recover);
        expect(method.cache.size).toBe(0);
        await waitFor(answers(() => store.list()), 'the store to answer again', recover);
        const fresh = await issueKey(store, { subject: 'carol', tenantId: 'acme', hash: fast });
        expect(await statusOf(tg, fresh.key)).toBe(200);
        if (subject.peer !== undefined) {
          // Pushed changes flow again: a revocation on another instance reaches this one.
          const other = await subject.peer();
          try {
            expect(await statusOf(tg, fresh.key)).toBe(200);
            expect(method.cache.size).toBe(1);
            await revokeKey(other, fresh.record.id);
            await waitFor(() => method.cache.size === 0, 'the revocation from another instance', recover);
            expect(await statusOf(tg, fresh.key)).toBe(401);
          } finally {
            await other.close?.();
          }
        }
      } finally {
        await tg.close();
      }
    });
  });
}

/**
 * Registers the outage test of a tenant store whose server a test can stop.
 *
 * @example
 * describeTenantStoreOutage('redisTenantStore', async () => ({ store, outage, cleanup }));
 */
export function describeTenantStoreOutage(name: string, make: () => Promise<TenantStoreWithOutage>): void {
  describe(`${name} (outage conformance)`, () => {
    let subject: TenantStoreWithOutage;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.outage.start().catch(() => undefined);
      await subject.cleanup();
    });

    it('fails calls quickly while the server is away, never crashes, and resyncs when it is back', async () => {
      const { store, outage } = subject;
      const events: TenantChange[] = [];
      store.watch!((change) => events.push(change));
      const acme: Tenant = { id: `acme-${process.pid}`, status: 'active', tags: [] };
      await store.put(acme);
      await outage.stop();
      await expect(within(store.get(acme.id), settle, 'get')).rejects.toThrow();
      await expect(within(store.put({ ...acme, status: 'suspended' }), settle, 'put')).rejects.toThrow();
      await outage.start();
      await waitFor(() => events.some((e) => e.type === 'resync'), 'a resync event after the server came back', recover);
      await waitFor(answers(() => store.list()), 'the store to answer again', recover);
      const globex: Tenant = { id: `globex-${process.pid}`, status: 'suspended', tags: ['trial'] };
      await store.put(globex);
      expect(await store.get(globex.id)).toStrictEqual(globex);
    });
  });
}
