// The admin API's tenant routes over HTTP: platform operators change tenants, a tenant's own admin only reads its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { adminApi, memoryKeyStore, memoryTenantStore, type WritableTenantStore } from '@tollgate/core';
import { tollgateAdmin } from '@tollgate/express';
import { startAdminApp, type AdminApp } from './admin-app.js';

describe('admin API: tenants', () => {
  let app: AdminApp;
  let tenants: WritableTenantStore;
  let ops: string;
  let tenantAdmin: string;
  let acmeUser: string;
  beforeAll(async () => {
    tenants = memoryTenantStore([{ id: 'acme', status: 'active', tags: [] }, { id: 'globex', status: 'active', tags: [] }]);
    app = await startAdminApp(memoryKeyStore(), tenants);
    ops = (await app.key({ subject: 'ops', kind: 'service', scopes: ['admin:tenants', 'admin:keys', 'tenants:any'] })).key;
    tenantAdmin = (await app.key({ subject: 'ana', tenantId: 'acme', scopes: ['admin:tenants'] })).key;
    acmeUser = (await app.key({ subject: 'ben', tenantId: 'acme' })).key;
  });
  afterAll(() => app.close());

  it('lets a platform operator create, list, suspend, resume and set limits; suspension applies at once', async () => {
    const created = await app.call('POST', '/admin/tenants', ops, { id: 'initech', tier: 'pro', tags: ['eu'] });
    expect([created.status, created.json()]).toEqual([201, { id: 'initech', status: 'active', tier: 'pro', tags: ['eu'] }]);
    expect((await app.call('POST', '/admin/tenants', ops, { id: 'initech' })).json()['error']).toMatchObject({ tg_code: 'TG_CONFLICT' });
    expect(((await app.call('GET', '/admin/tenants', ops)).json()['data'] as Array<{ id: string }>).map((t) => t.id)).toEqual(['acme', 'globex', 'initech']);
    expect((await app.call('POST', '/v1/chat/completions', acmeUser, {})).status).toBe(200);
    expect((await app.call('POST', '/admin/tenants/acme/suspend', ops)).json()).toMatchObject({ id: 'acme', status: 'suspended' });
    const refused = await app.call('POST', '/v1/chat/completions', acmeUser, {});
    expect([refused.status, refused.json()['error']]).toEqual([403, expect.objectContaining({ tg_code: 'TG_TENANT_SUSPENDED' })]);
    expect((await app.call('POST', '/admin/tenants/acme/resume', ops)).json()).toMatchObject({ status: 'active' });
    expect((await app.call('POST', '/v1/chat/completions', acmeUser, {})).status).toBe(200);
    const limited = await app.call('PUT', '/admin/tenants/initech/limits', ops, { limits: { requestsPerMinute: 60 }, budget: { usd: 100 } });
    expect(limited.json()).toEqual({ id: 'initech', status: 'active', tier: 'pro', tags: ['eu'], limits: { requestsPerMinute: 60 }, budget: { usd: 100 } });
    expect((await app.call('PUT', '/admin/tenants/initech/limits', ops, { budget: null })).json()).toEqual({ id: 'initech', status: 'active', tier: 'pro', tags: ['eu'], limits: { requestsPerMinute: 60 } });
    expect(await tenants.get('initech')).toEqual({ id: 'initech', status: 'active', tier: 'pro', tags: ['eu'], limits: { requestsPerMinute: 60 } });
  });

  it("lets a tenant's own admin read its tenant, and nothing else", async () => {
    expect((await app.call('GET', '/admin/tenants/acme', tenantAdmin)).json()).toMatchObject({ id: 'acme' });
    expect(((await app.call('GET', '/admin/tenants', tenantAdmin)).json()['data'] as Array<{ id: string }>).map((t) => t.id)).toEqual(['acme']);
    expect((await app.call('GET', '/admin/tenants/globex', tenantAdmin)).status).toBe(404);
    for (const [method, path, body] of [['POST', '/admin/tenants/acme/resume', undefined], ['PUT', '/admin/tenants/acme/limits', { limits: { requestsPerMinute: 1e9 } }], ['POST', '/admin/tenants', { id: 'mine' }]] as const) {
      const refused = await app.call(method, path, tenantAdmin, body);
      expect(refused.status, path).toBe(403);
      expect(refused.json()['error']).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
    }
    expect((await tenants.get('acme'))?.limits).toBeUndefined();
  });

  it('refuses bad tenants with the field at fault', async () => {
    const bad = await app.call('POST', '/admin/tenants', ops, { id: '../etc', status: 'active' });
    expect([bad.status, bad.json()['error']]).toEqual([400, expect.objectContaining({ tg_code: 'TG_INVALID_REQUEST', param: 'id' })]);
    expect((await app.call('POST', '/admin/tenants', ops, { id: 'x', status: 'paused' })).json()['error']).toMatchObject({ param: 'status' });
    expect((await app.call('PUT', '/admin/tenants/acme/limits', ops, { limit: {} })).json()['error']).toMatchObject({ param: 'limit' });
  });
});

describe('admin API: mounting', () => {
  it('has no tenant routes without a tenant store, and is never served without a tollgate middleware in front', async () => {
    const keys = memoryKeyStore();
    const app = express();
    // Deliberately wrong: no tollgate middleware before the admin handler.
    app.use('/admin', tollgateAdmin(adminApi({ keys })));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await fetch(`${url}/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'mallory' }) });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { tg_code: string } }).error.tg_code).toBe('TG_PIPELINE_ORDER');
      expect(await keys.list()).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
