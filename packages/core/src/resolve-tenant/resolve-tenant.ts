// The resolveTenant step: ties each request to an active tenant from the credential (or an allowed header) and the store.
import type { Tenant } from '../context/principal.js';
import type { TenantDecision } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { toTollgateError } from '../errors/render-error.js';
import type { ClosableStep } from '../gate.js';
import { headerNames, wholeNumber } from '../options/option-checks.js';
import type { TenantStore } from '../tenant-store/tenant-store.js';
import { chooseTenant, type MultiTenantRule } from './choose-tenant.js';
import { TenantCache } from './tenant-cache.js';

/** Options of {@link resolveTenant}. */
export interface ResolveTenantOptions {
  /** Where tenants (status, tier, tags, limits, budget) are looked up. */
  readonly store: TenantStore;
  /**
   * Header in which a principal allowed to act for several tenants names the one it acts for. Anyone
   * else may only repeat their own tenant there; `false` ignores the header entirely.
   * @default 'x-tenant-id'
   */
  readonly header?: string | false;
  /** Who may act for tenants other than their own. @default nobody */
  readonly multiTenant?: {
    /** Any of these roles allows acting for any tenant. @default [] */
    readonly roles?: readonly string[];
    /** Any of these scopes allows acting for any tenant. @default [] */
    readonly scopes?: readonly string[];
    /** A claim whose value lists the tenant ids the principal may act for (e.g. a JWT `tenants` claim). @default none */
    readonly claim?: string;
  };
  /** Refuse principals that end up without a tenant (403 `TG_TENANT_REQUIRED`); false lets them through without one. @default true */
  readonly required?: boolean;
  readonly cache?: {
    /** How long a lookup (found or not) is reused; store change events drop entries sooner. @default 5000 */
    readonly ttlMs?: number;
    /** Most tenants cached; the oldest go first. @default 10000 */
    readonly maxEntries?: number;
  };
  /** A store lookup slower than this is a 503. @default 2000 */
  readonly storeTimeoutMs?: number;
  /** Clock for the cache, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The resolveTenant step, with its cache exposed for operational use and `close()` to stop watching the store. */
export interface ResolveTenantStep extends ClosableStep {
  readonly name: 'resolveTenant';
  readonly cache: TenantCache;
  close(): Promise<void>;
}

function stringSet(value: readonly string[] | undefined, name: string): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new ConfigError(`resolveTenant.${name} must be a list of non-empty strings`);
  return new Set(value);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tenant store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Builds the resolveTenant step. It sets `context.tenant` (frozen) and `context.decisions.tenant`.
 * Refusals: a suspended or unknown tenant, a tenant header naming another tenant (unless the principal
 * may act for several), or no tenant at all: 403; a malformed or repeated header: 400; a store that
 * fails or is slow: 503, never an allow.
 *
 * @example
 * const tenants = fileTenantStore({ path: './tenants.yaml' });
 * const tg = gate({
 *   authenticate: { methods: [apiKey({ store: keys })] },
 *   resolveTenant: resolveTenant({ store: tenants, multiTenant: { roles: ['support'] } }),
 * });
 */
export function resolveTenant(options: ResolveTenantOptions): ResolveTenantStep {
  if (options === null || typeof options !== 'object' || typeof options.store?.get !== 'function') {
    throw new ConfigError('resolveTenant: options.store must be a TenantStore (an object with get(tenantId))');
  }
  const { store } = options;
  const header = options.header === false ? undefined : headerNames([options.header ?? 'x-tenant-id'], 'resolveTenant.header', [])[0];
  const claim = options.multiTenant?.claim;
  if (claim !== undefined && (typeof claim !== 'string' || claim === '')) throw new ConfigError('resolveTenant.multiTenant.claim must be a non-empty string');
  const rule: MultiTenantRule = {
    roles: stringSet(options.multiTenant?.roles, 'multiTenant.roles'),
    scopes: stringSet(options.multiTenant?.scopes, 'multiTenant.scopes'),
    claim,
  };
  if (options.required !== undefined && typeof options.required !== 'boolean') throw new ConfigError('resolveTenant.required must be true or false');
  const required = options.required ?? true;
  const cache = new TenantCache({
    ttlMs: wholeNumber(options.cache?.ttlMs, 'resolveTenant.cache.ttlMs', 5_000, 1, 3_600_000),
    maxEntries: wholeNumber(options.cache?.maxEntries, 'resolveTenant.cache.maxEntries', 10_000, 1, 10_000_000),
    now: options.now ?? Date.now,
  });
  const storeTimeoutMs = wholeNumber(options.storeTimeoutMs, 'resolveTenant.storeTimeoutMs', 2_000, 1, 60_000);
  // A resync means the store's push channel missed events (an outage): nothing cached can be trusted.
  const unwatch = store.watch?.((change) => (change.type === 'resync' ? cache.clear() : cache.drop(change.tenantId)));

  async function lookup(tenantId: string): Promise<{ tenant: Tenant | undefined; cached: boolean }> {
    try {
      return await cache.get(tenantId, (id) => withTimeout(store.get(id), storeTimeoutMs));
    } catch (cause) {
      throw new TollgateError('TG_TENANT_STORE_UNAVAILABLE', { retryAfterSeconds: 1, cause });
    }
  }

  return {
    name: 'resolveTenant',
    requires: ['authenticate'],
    cache,
    async run(context) {
      let decision: TenantDecision = { outcome: 'none' };
      try {
        const choice = chooseTenant(context.principal, header === undefined ? [] : context.request.headerValues(header), rule);
        if (choice.kind === 'refuse') throw new TollgateError(choice.code, choice.code === 'TG_INVALID_TENANT_HEADER' ? { param: header ?? null } : {});
        if (choice.kind === 'none') {
          if (required && context.principal !== undefined) throw new TollgateError('TG_TENANT_REQUIRED');
          return;
        }
        const { tenantId, source } = choice;
        decision = { outcome: 'deny', tenantId, source };
        // A fresh cache entry answers at once: no store call, and no wait for one.
        const hit = cache.peek(tenantId);
        const { tenant, cached } = hit !== undefined ? { tenant: hit.tenant, cached: true } : await lookup(tenantId);
        decision = { outcome: 'deny', tenantId, source, cached };
        if (tenant === undefined) throw new TollgateError('TG_TENANT_UNKNOWN');
        if (tenant.status !== 'active') throw new TollgateError('TG_TENANT_SUSPENDED');
        context.tenant = tenant;
        decision = { outcome: 'allow', tenantId, source, cached };
      } catch (thrown) {
        const error = toTollgateError(thrown);
        decision = { ...decision, outcome: 'deny', reason: error.code };
        throw error;
      } finally {
        context.decisions.tenant = decision;
      }
    },
    async close() {
      unwatch?.();
    },
  };
}
