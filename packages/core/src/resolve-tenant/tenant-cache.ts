// Recent tenant lookups (found or not), so a request costs no store round trip; store changes drop entries at once.
import type { Tenant } from '../context/principal.js';

interface Entry {
  readonly tenant: Tenant | undefined;
  readonly expiresAt: number;
}

/** Options of {@link TenantCache}. */
export interface TenantCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

/** Freezes a tenant and everything in it, so one cached object can be shared by every request. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Maps tenant ids to what the store said (a tenant, or that there is none) for `ttlMs`. Concurrent
 * misses for one id share one store call. A change event drops the entry and bumps the id's
 * generation, so a lookup that was in flight when the change arrived is not cached.
 *
 * @example
 * const cache = new TenantCache({ ttlMs: 5_000, maxEntries: 10_000, now: Date.now });
 * store.watch?.((change) => cache.drop(change.tenantId));
 * const { tenant, cached } = await cache.get('acme', (id) => store.get(id));
 */
export class TenantCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Tenant | undefined>>();
  readonly #generations = new Map<string, number>();
  readonly #options: TenantCacheOptions;

  constructor(options: TenantCacheOptions) {
    this.#options = options;
  }

  /** The tenant for an id (frozen), from the cache or from `load`; rejects when `load` does. */
  async get(tenantId: string, load: (tenantId: string) => Promise<Tenant | undefined>): Promise<{ tenant: Tenant | undefined; cached: boolean }> {
    const entry = this.#entries.get(tenantId);
    if (entry !== undefined) {
      if (entry.expiresAt > this.#options.now()) return { tenant: entry.tenant, cached: true };
      this.#entries.delete(tenantId);
    }
    let flight = this.#inFlight.get(tenantId);
    if (flight === undefined) {
      flight = this.#load(tenantId, load).finally(() => this.#inFlight.delete(tenantId));
      this.#inFlight.set(tenantId, flight);
    }
    return { tenant: await flight, cached: false };
  }

  /** The cached lookup of an id while it is fresh, without a store call or a wait; undefined otherwise. */
  peek(tenantId: string): { readonly tenant: Tenant | undefined } | undefined {
    const entry = this.#entries.get(tenantId);
    return entry !== undefined && entry.expiresAt > this.#options.now() ? entry : undefined;
  }

  /** Forgets an id (the store changed or deleted it). */
  drop(tenantId: string): void {
    this.#generations.set(tenantId, (this.#generations.get(tenantId) ?? 0) + 1);
    this.#entries.delete(tenantId);
    this.#inFlight.delete(tenantId);
  }

  /** Forgets everything. */
  clear(): void {
    for (const tenantId of [...this.#entries.keys(), ...this.#inFlight.keys()]) this.drop(tenantId);
  }

  get size(): number {
    return this.#entries.size;
  }

  async #load(tenantId: string, load: (tenantId: string) => Promise<Tenant | undefined>): Promise<Tenant | undefined> {
    const generation = this.#generations.get(tenantId) ?? 0;
    const loaded = await load(tenantId);
    // A copy: freezing must never reach into a store's own objects.
    const tenant = loaded === undefined ? undefined : deepFreeze(structuredClone(loaded));
    if ((this.#generations.get(tenantId) ?? 0) !== generation) return tenant;
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(tenantId, { tenant, expiresAt: this.#options.now() + this.#options.ttlMs });
    return tenant;
  }
}
