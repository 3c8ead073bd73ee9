// resolveTenant on a real pipeline: the tenant from the credential, the header rule, store status, cache and failures.
import { describe, expect, it } from 'vitest';
import type { Principal, Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { Step } from '../pipeline/step.js';
import { memoryTenantStore } from '../tenant-store/memory-tenant-store.js';
import type { TenantStore, WritableTenantStore } from '../tenant-store/tenant-store.js';
import { resolveTenant, type ResolveTenantOptions } from './resolve-tenant.js';

const principal = (overrides: Partial<Principal> = {}): Principal => ({ subject: 'alice', kind: 'user', method: 'api_key', tenantId: 'acme', roles: [], scopes: [], claims: {}, ...overrides });

/** Stands in for authenticate: the principal a test wants, or none. */
const signedIn = (who: Principal | undefined): Step => ({ name: 'authenticate', requires: [], run: (ctx) => void (ctx.principal = who) });

const tenants = (): WritableTenantStore =>
  memoryTenantStore([
    { id: 'acme', status: 'active', tier: 'pro', tags: ['eu'], limits: { requestsPerMinute: 60 } },
    { id: 'globex', status: 'active', tags: [] },
    { id: 'initech', status: 'suspended', tags: [] },
  ]);

async function run(who: Principal | undefined, headers: Record<string, string[]> = {}, options: Partial<ResolveTenantOptions> = {}, store: TenantStore = tenants()) {
  const step = resolveTenant({ store, ...options });
  const pipeline = createPipeline({ steps: [signedIn(who), step] });
  const handle = pipeline.start({ method: 'POST', path: '/v1/chat/completions', headerValues: (n) => headers[n] ?? [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
  const response = await pipeline.run(handle);
  await step.close();
  const error = response === undefined ? undefined : (JSON.parse(response.body) as { error: Record<string, unknown> }).error;
  return { response, error, context: handle.context, step };
}

describe('resolveTenant', () => {
  it('attaches the credential’s tenant, frozen, and records the decision', async () => {
    const { response, context } = await run(principal());
    expect(response).toBeUndefined();
    expect(context.tenant).toStrictEqual({ id: 'acme', status: 'active', tier: 'pro', tags: ['eu'], limits: { requestsPerMinute: 60 } });
    expect(Object.isFrozen(context.tenant) && Object.isFrozen(context.tenant?.tags) && Object.isFrozen(context.tenant?.limits)).toBe(true);
    expect(context.decisions.tenant).toStrictEqual({ outcome: 'allow', tenantId: 'acme', source: 'principal', cached: false });
  });

  it('refuses a suspended or unknown tenant with 403', async () => {
    const suspended = await run(principal({ tenantId: 'initech' }));
    expect(suspended.response?.status).toBe(403);
    expect(suspended.error).toMatchObject({ code: 'tenant_suspended', tg_code: 'TG_TENANT_SUSPENDED' });
    expect(suspended.context.tenant).toBeUndefined();
    expect(suspended.context.decisions.tenant).toStrictEqual({ outcome: 'deny', tenantId: 'initech', source: 'principal', cached: false, reason: 'TG_TENANT_SUSPENDED' });
    const unknown = await run(principal({ tenantId: 'hooli' }));
    expect(unknown.response?.status).toBe(403);
    expect(unknown.error).toMatchObject({ tg_code: 'TG_TENANT_UNKNOWN' });
  });

  it('honours the header only for the principal’s own tenant unless it may act for several', async () => {
    expect((await run(principal(), { 'x-tenant-id': ['acme'] })).context.tenant?.id).toBe('acme');
    const mismatch = await run(principal(), { 'x-tenant-id': ['globex'] });
    expect(mismatch.response?.status).toBe(403);
    expect(mismatch.error).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
    // The same answer whether or not the other tenant exists: nothing is looked up for a mismatch.
    const other = await run(principal(), { 'x-tenant-id': ['no-such-tenant'] });
    expect(other.response?.body.replace(/req_\w+/g, '')).toBe(mismatch.response?.body.replace(/req_\w+/g, ''));
    expect(mismatch.context.decisions.tenant).toStrictEqual({ outcome: 'deny', reason: 'TG_TENANT_MISMATCH' });
  });

  it('lets multi-tenant principals pick a tenant by role, scope or claim', async () => {
    const multiTenant = { roles: ['support'], scopes: ['tenants:any'], claim: 'tenants' };
    const byRole = await run(principal({ roles: ['support'] }), { 'x-tenant-id': ['globex'] }, { multiTenant });
    expect(byRole.context.tenant?.id).toBe('globex');
    expect(byRole.context.decisions.tenant).toMatchObject({ outcome: 'allow', tenantId: 'globex', source: 'header' });
    expect((await run(principal({ scopes: ['tenants:any'] }), { 'x-tenant-id': ['globex'] }, { multiTenant })).context.tenant?.id).toBe('globex');
    const listed = principal({ tenantId: undefined, claims: { tenants: ['acme', 'globex'] } });
    expect((await run(listed, { 'x-tenant-id': ['globex'] }, { multiTenant })).context.tenant?.id).toBe('globex');
    expect((await run(listed, { 'x-tenant-id': ['initech'] }, { multiTenant })).error).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
    // Choosing a tenant does not get around its status.
    expect((await run(principal({ roles: ['support'] }), { 'x-tenant-id': ['initech'] }, { multiTenant })).error).toMatchObject({ tg_code: 'TG_TENANT_SUSPENDED' });
    // Without the header a multi-tenant principal acts for its own tenant.
    expect((await run(principal({ roles: ['support'] }), {}, { multiTenant })).context.tenant?.id).toBe('acme');
  });

  it('refuses a repeated or malformed header with 400, before any lookup', async () => {
    for (const values of [['acme', 'acme'], [''], ['acme eu'], ['../x'], ['a'.repeat(129)]]) {
      const { response, error } = await run(principal({ roles: ['support'] }), { 'x-tenant-id': values }, { multiTenant: { roles: ['support'] } });
      expect({ values, status: response?.status }).toStrictEqual({ values, status: 400 });
      expect(error).toMatchObject({ tg_code: 'TG_INVALID_TENANT_HEADER', param: 'x-tenant-id' });
    }
  });

  it('reads a configured header name, or none at all', async () => {
    expect((await run(principal(), { 'x-org': ['globex'] }, { header: 'X-Org' })).error).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
    expect((await run(principal(), { 'x-tenant-id': ['globex'] }, { header: 'x-org' })).context.tenant?.id).toBe('acme');
    expect((await run(principal(), { 'x-tenant-id': ['globex'] }, { header: false })).context.tenant?.id).toBe('acme');
  });

  it('requires a tenant unless told not to; anonymous callers get none and may not name one', async () => {
    const tenantless = principal({ tenantId: undefined });
    expect((await run(tenantless)).error).toMatchObject({ tg_code: 'TG_TENANT_REQUIRED' });
    const optional = await run(tenantless, {}, { required: false });
    expect(optional.response).toBeUndefined();
    expect(optional.context.tenant).toBeUndefined();
    expect(optional.context.decisions.tenant).toStrictEqual({ outcome: 'none' });
    expect((await run(undefined)).response).toBeUndefined();
    expect((await run(undefined, { 'x-tenant-id': ['acme'] })).error).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
  });

  it('answers 503, never an allow, when the store fails or is slow', async () => {
    const failing: TenantStore = { get: () => Promise.reject(new Error('connection refused')) };
    const down = await run(principal(), {}, {}, failing);
    expect(down.response?.status).toBe(503);
    expect(down.response?.headers['retry-after']).toBe('1');
    expect(down.error).toMatchObject({ tg_code: 'TG_TENANT_STORE_UNAVAILABLE' });
    expect(JSON.stringify(down.error)).not.toContain('connection refused');
    const hanging: TenantStore = { get: () => new Promise(() => undefined) };
    const slow = await run(principal(), {}, { storeTimeoutMs: 20 }, hanging);
    expect(slow.response?.status).toBe(503);
    expect(slow.context.tenant).toBeUndefined();
  });

  it('caches lookups and drops them when the store says a tenant changed', async () => {
    const store = tenants();
    let reads = 0;
    const counting: TenantStore = { get: (id) => (reads++, store.get(id)), watch: (l) => store.watch!(l) };
    const step = resolveTenant({ store: counting });
    const pipeline = createPipeline({ steps: [signedIn(principal()), step] });
    const once = async () => {
      const handle = pipeline.start({ method: 'GET', path: '/', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) });
      return { response: await pipeline.run(handle), context: handle.context };
    };
    expect((await once()).context.decisions.tenant?.cached).toBe(false);
    expect((await once()).context.decisions.tenant?.cached).toBe(true);
    expect(reads).toBe(1);
    const suspended: Tenant = { id: 'acme', status: 'suspended', tags: [] };
    await store.put(suspended);
    const after = await once();
    expect(after.response?.status).toBe(403);
    expect(reads).toBe(2);
    await step.close();
  });

  it('caches for ttlMs only', async () => {
    let now = 0;
    let reads = 0;
    const store = tenants();
    const step = resolveTenant({ store: { get: (id) => (reads++, store.get(id)) }, cache: { ttlMs: 100 }, now: () => now });
    const pipeline = createPipeline({ steps: [signedIn(principal()), step] });
    const once = () => pipeline.run(pipeline.start({ method: 'GET', path: '/', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) }));
    await once();
    now = 99;
    await once();
    expect(reads).toBe(1);
    now = 100;
    await once();
    expect(reads).toBe(2);
  });

  it('refuses bad options at startup', () => {
    const store = tenants();
    expect(() => resolveTenant({} as ResolveTenantOptions)).toThrow(ConfigError);
    expect(() => resolveTenant({ store, header: 'bad header' })).toThrow('resolveTenant.header');
    expect(() => resolveTenant({ store, multiTenant: { roles: [''] } })).toThrow('resolveTenant.multiTenant.roles');
    expect(() => resolveTenant({ store, multiTenant: { claim: '' } })).toThrow('resolveTenant.multiTenant.claim');
    expect(() => resolveTenant({ store, cache: { ttlMs: 0 } })).toThrow('resolveTenant.cache.ttlMs');
    expect(() => resolveTenant({ store, storeTimeoutMs: 1.5 })).toThrow('resolveTenant.storeTimeoutMs');
    expect(() => resolveTenant({ store, required: 'yes' as unknown as boolean })).toThrow('resolveTenant.required');
  });
});
