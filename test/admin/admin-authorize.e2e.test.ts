// The admin API behind the authorize step: the policy grants admin:keys (by role); a route mapped to another action fails closed.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryKeyStore, memoryTenantStore, type RbacPolicy } from '@tollgate/core';
import { startAdminApp, type AdminApp } from './admin-app.js';

const policy: RbacPolicy = {
  roles: { 'key-admin': { permissions: ['manage-keys', 'read-usage'] }, developer: { permissions: ['chat'] } },
  permissions: { 'manage-keys': { actions: ['admin:keys'] }, 'read-usage': { actions: ['admin:usage'] }, chat: { actions: ['inference:chat'] } },
};

describe('admin API behind authorize', () => {
  let app: AdminApp | undefined;
  afterEach(() => app?.close());
  const tenants = () => memoryTenantStore([{ id: 'acme', status: 'active', tags: [] }]);

  it('takes the policy decision as the permission: a role grants it, no scope needed; others are denied by rule', async () => {
    app = await startAdminApp(memoryKeyStore(), tenants(), { via: 'authorize', policy });
    const admin = await app.key({ subject: 'ana', tenantId: 'acme', roles: ['key-admin'] });
    const dev = await app.key({ subject: 'ben', tenantId: 'acme', roles: ['developer'], scopes: ['admin:keys'] });
    const listed = await app.call('GET', '/admin/keys', admin.key);
    expect(listed.status).toBe(200);
    expect((listed.json()['data'] as unknown[]).length).toBe(2);
    // A scope does not bypass the policy when authorize is in the chain.
    const denied = await app.call('GET', '/admin/keys', dev.key);
    expect([denied.status, denied.json()['error']]).toEqual([403, expect.objectContaining({ tg_code: 'TG_POLICY_DENIED', rule: 'default-deny' })]);
  });

  it('fails closed when the admin routes are mapped to another action', async () => {
    app = await startAdminApp(memoryKeyStore(), tenants(), { via: 'authorize', policy, action: 'admin:usage' });
    const admin = await app.key({ subject: 'ana', tenantId: 'acme', roles: ['key-admin'] });
    const refused = await app.call('POST', '/admin/keys', admin.key, { subject: 'x' });
    expect(refused.status).toBe(403);
    expect((refused.json()['error'] as { message: string }).message).toContain('mapped to admin:usage, not admin:keys');
  });
});
