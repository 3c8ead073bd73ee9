// The behaviour every WritableTenantStore (memory, file, Redis, Postgres) must show, as one reusable vitest suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant, TenantChange, WritableTenantStore } from '@tollgate/core';
import { describeTenantStoreOutage, type TenantStoreWithOutage } from './store-outage-conformance.js';
import { waitFor } from './wait-for.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface TenantStoreUnderTest {
  readonly store: WritableTenantStore;
  /** Another instance on the same data, as another process would open it; the suite closes it. */
  peer?(): Promise<WritableTenantStore>;
  cleanup(): Promise<void>;
}

/** What else a store can be put through besides the common tests. */
export interface TenantStoreSuiteExtras {
  /** A store whose server a test can stop and start again. */
  readonly outage?: () => Promise<TenantStoreWithOutage>;
}

/** A tenant as a careless caller might change it in place, ignoring `readonly`. */
interface TenantChangedInPlace {
  status: string;
  tags: string[];
  limits: Record<string, unknown>;
}
const inPlace = (tenant: Tenant | undefined): TenantChangedInPlace => tenant as unknown as TenantChangedInPlace;

let counter = 0;
/** A distinct, valid tenant. */
const tenant = (overrides: Partial<Tenant> = {}): Tenant => ({ id: `tenant-${++counter}-${process.pid}`, status: 'active', tags: [], ...overrides });

/**
 * Registers the tenant-store conformance tests under `describe(name)`. `make` is called before each
 * test and must return an empty store; `cleanup` runs after it.
 *
 * @example
 * describeTenantStoreConformance('memoryTenantStore', async () => ({ store: memoryTenantStore(), cleanup: async () => {} }));
 */
export function describeTenantStoreConformance(name: string, make: () => Promise<TenantStoreUnderTest>, extras: TenantStoreSuiteExtras = {}): void {
  if (extras.outage === undefined) console.info(`${name}: lives in this process, so there is no server to lose; the outage tests do not apply`);
  else describeTenantStoreOutage(name, extras.outage);
  describe(`${name} (TenantStore conformance)`, () => {
    let subject: TenantStoreUnderTest;
    let store: WritableTenantStore;
    const peers: WritableTenantStore[] = [];
    const peer = async (): Promise<WritableTenantStore> => {
      const other = await subject.peer!();
      peers.push(other);
      return other;
    };

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      for (const other of peers.splice(0)) await other.close?.();
      await subject.cleanup();
    });

    it('returns what was put, and undefined for an unknown id', async () => {
      const t = tenant({ tier: 'pro', tags: ['eu'] });
      await store.put(t);
      expect(await store.get(t.id)).toStrictEqual(t);
      expect(await store.get('no-such-tenant')).toBeUndefined();
    });

    it('replaces a tenant put again under the same id (suspending it, changing its limits)', async () => {
      const t = tenant({ limits: { requestsPerMinute: 60 } });
      await store.put(t);
      const changed: Tenant = { ...t, status: 'suspended', limits: { requestsPerMinute: 10 } };
      await store.put(changed);
      expect(await store.get(t.id)).toStrictEqual(changed);
      expect(await store.list()).toHaveLength(1);
    });

    it('hands out copies: changing a tenant read or put does not change the store', async () => {
      const t = tenant({ tags: ['eu'], limits: { requestsPerMinute: 60 } });
      const mine = structuredClone(t);
      await store.put(mine);
      inPlace(mine).status = 'suspended';
      inPlace(mine).tags.push('mallory');
      const read = inPlace(await store.get(t.id));
      read.tags.push('root');
      read.limits['requestsPerMinute'] = 1e9;
      inPlace((await store.list())[0]).status = 'suspended';
      expect(await store.get(t.id)).toStrictEqual(t);
    });

    it('lists tenants ordered by id', async () => {
      const tenants = ['b', 'a', 'C', 'a-2'].map((id) => tenant({ id: `${id}-${process.pid}` }));
      for (const t of tenants) await store.put(t);
      const ordered = [...tenants].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(await store.list()).toStrictEqual(ordered);
    });

    it('deletes, resolving whether the tenant existed', async () => {
      const t = tenant();
      await store.put(t);
      expect(await store.delete(t.id)).toBe(true);
      expect(await store.get(t.id)).toBeUndefined();
      expect(await store.delete(t.id)).toBe(false);
      expect(await store.list()).toStrictEqual([]);
    });

    it('refuses an invalid tenant and keeps what it had', async () => {
      const t = tenant();
      await store.put(t);
      const bad: unknown[] = [
        { ...t, status: 'paused' },
        { ...t, id: '../etc/passwd' },
        { ...t, tenant_id: 'typo' },
        { ...t, tags: [''] },
        { id: '' },
      ];
      for (const value of bad) await expect(store.put(value as Tenant), JSON.stringify(value)).rejects.toThrow(/tenant/i);
      expect(await store.list()).toStrictEqual([t]);
    });

    it('fills the defaults of a minimal tenant: active, no tags', async () => {
      const id = `minimal-${process.pid}`;
      await store.put({ id } as Tenant);
      expect(await store.get(id)).toStrictEqual({ id, status: 'active', tags: [] });
    });

    it('tells watchers about upserts and deletes until they unsubscribe', async () => {
      expect(store.watch).toBeTypeOf('function');
      const seen: TenantChange[] = [];
      const witness: TenantChange[] = [];
      const unsubscribe = store.watch!((change) => seen.push(change));
      store.watch!((change) => witness.push(change));
      const t = tenant();
      await store.put(t);
      await store.delete(t.id);
      await waitFor(() => seen.length >= 2, 'an upsert and a delete event');
      expect(seen).toStrictEqual([
        { tenantId: t.id, type: 'upsert' },
        { tenantId: t.id, type: 'delete' },
      ]);
      unsubscribe();
      const later = tenant();
      await store.put(later);
      await waitFor(() => witness.some((c) => c.tenantId === later.id), 'the event after unsubscribing');
      expect(seen).toHaveLength(2);
      expect(witness).toStrictEqual([...seen, { tenantId: later.id, type: 'upsert' }]);
    });

    it('keeps every one of 50 concurrent writes', async () => {
      const tenants = Array.from({ length: 50 }, (_, i) => tenant({ tier: `tier-${i}` }));
      await Promise.all(tenants.map((t) => store.put(t)));
      const listed = await store.list();
      expect(listed.map((t) => t.id)).toStrictEqual(tenants.map((t) => t.id).sort());
      for (const t of tenants) expect(await store.get(t.id)).toStrictEqual(t);
      const deleted = await Promise.all(tenants.slice(0, 25).map((t) => store.delete(t.id)));
      expect(deleted.every(Boolean)).toBe(true);
      expect(await store.list()).toHaveLength(25);
    });

    it('round-trips every optional field exactly', async () => {
      const full = tenant({
        status: 'suspended',
        tier: 'enterprise',
        tags: ['eu', 'customer:acme', 'env:staging'],
        limits: { requestsPerMinute: 600, tokensPerDay: 5_000_000, models: { 'gpt-4o': { rpm: 10 } }, burst: 1.5, strict: true, note: null },
        budget: { usdPerMonth: 1250.5, hardStop: true, alertAt: [0.5, 0.9] },
      });
      const bare = tenant();
      await store.put(full);
      await store.put(bare);
      expect(await store.get(full.id)).toStrictEqual(full);
      expect(await store.get(bare.id)).toStrictEqual(bare);
    });

    it('hears a change made by another instance: a suspension there reaches the watchers here', async ({ skip }) => {
      if (subject.peer === undefined) return skip(`${name} lives in one process: there is no other instance`);
      const other = await peer();
      const t = tenant();
      await store.put(t);
      const seen: TenantChange[] = [];
      store.watch!((change) => seen.push(change));
      await other.put({ ...t, status: 'suspended' });
      await waitFor(() => seen.some((c) => c.tenantId === t.id), 'the suspension from the other instance');
      expect(seen).toStrictEqual([{ tenantId: t.id, type: 'upsert' }]);
      expect((await store.get(t.id))?.status).toBe('suspended');
      await other.delete(t.id);
      await waitFor(() => seen.length === 2, 'the delete from the other instance');
      expect(seen[1]).toStrictEqual({ tenantId: t.id, type: 'delete' });
    });

    it('keeps every write of two instances writing at once', async ({ skip }) => {
      if (subject.peer === undefined) return skip(`${name} lives in one process: there is no other instance`);
      const other = await peer();
      const tenants = Array.from({ length: 40 }, (_, i) => tenant({ tier: `tier-${i}` }));
      await Promise.all(tenants.map((t, i) => (i % 2 === 0 ? store : other).put(t)));
      const ids = tenants.map((t) => t.id).sort();
      await waitFor(async () => (await other.list()).length === 40 && (await store.list()).length === 40, 'both instances to see all 40').catch(() => undefined);
      expect((await store.list()).map((t) => t.id)).toStrictEqual(ids);
      expect((await other.list()).map((t) => t.id)).toStrictEqual(ids);
    });
  });
}
