// TenantCache: one store call per id under concurrency, no stale entry after a change mid-lookup, bounded size, peek.
import { describe, expect, it } from 'vitest';
import type { Tenant } from '../context/principal.js';
import { TenantCache } from './tenant-cache.js';

const acme: Tenant = { id: 'acme', status: 'active', tags: ['eu'] };

describe('TenantCache', () => {
  it('shares one load between concurrent misses, and caches "not found" too', async () => {
    const cache = new TenantCache({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    let loads = 0;
    const load = async (id: string) => (loads++, await new Promise((r) => setTimeout(r, 5)), id === 'acme' ? acme : undefined);
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('acme', load)));
    expect(loads).toBe(1);
    expect(results.every((r) => r.tenant?.id === 'acme')).toBe(true);
    expect(await cache.get('nobody', load)).toStrictEqual({ tenant: undefined, cached: false });
    expect(await cache.get('nobody', load)).toStrictEqual({ tenant: undefined, cached: true });
    expect(loads).toBe(2);
  });

  it('does not cache a lookup that a change overtook, and does not share it afterwards', async () => {
    const cache = new TenantCache({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    let release!: () => void;
    const stale = cache.get('acme', () => new Promise<Tenant>((r) => (release = () => r(acme))));
    cache.drop('acme');
    const fresh = cache.get('acme', async () => ({ ...acme, status: 'suspended' }));
    release();
    expect((await stale).tenant?.status).toBe('active');
    expect((await fresh).tenant?.status).toBe('suspended');
    expect((await cache.get('acme', async () => acme)).tenant?.status).toBe('suspended');
  });

  it('hands out frozen copies, never the loader’s own object', async () => {
    const cache = new TenantCache({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    const own = { id: 'acme', status: 'active' as const, tags: ['eu'] };
    const { tenant } = await cache.get('acme', async () => own);
    expect(tenant).toStrictEqual(own);
    expect(tenant).not.toBe(own);
    expect(Object.isFrozen(tenant?.tags)).toBe(true);
    expect(Object.isFrozen(own)).toBe(false);
  });

  it('evicts the oldest entry beyond maxEntries, and a failed load caches nothing', async () => {
    const cache = new TenantCache({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    for (const id of ['a', 'b', 'c']) await cache.get(id, async () => ({ id, status: 'active', tags: [] }));
    expect(cache.size).toBe(2);
    expect((await cache.get('a', async () => undefined)).cached).toBe(false);
    await expect(cache.get('d', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect((await cache.get('d', async () => undefined)).cached).toBe(false);
  });

  it('peeks at a fresh entry only, without loading: not before get, not past the TTL, not after a drop', async () => {
    let now = 0;
    const cache = new TenantCache({ ttlMs: 100, maxEntries: 10, now: () => now });
    let loads = 0;
    const load = async () => (loads++, acme);
    expect(cache.peek('acme')).toBeUndefined();
    await cache.get('acme', load);
    expect(cache.peek('acme')?.tenant).toStrictEqual(acme);
    expect(Object.isFrozen(cache.peek('acme')?.tenant)).toBe(true);
    now = 100;
    expect(cache.peek('acme')).toBeUndefined();
    await cache.get('acme', load);
    cache.drop('acme');
    expect(cache.peek('acme')).toBeUndefined();
    expect(loads).toBe(2);
    // A remembered "no such tenant" is an entry too.
    await cache.get('nobody', async () => undefined);
    expect(cache.peek('nobody')?.tenant).toBeUndefined();
    expect(cache.peek('nobody')).not.toBeUndefined();
  });
});
