// The admin API's boundaries over HTTP: the admin:keys permission, one tenant per caller, no grant beyond the caller's, no secret in any answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryKeyStore, memoryTenantStore, parseApiKey, type WritableKeyStore } from '@tollgate/core';
import { rememberSecret } from '../support/secret-ledger.js';
import { startAdminApp, type AdminApp } from './admin-app.js';

describe('admin API: who may do what', () => {
  let app: AdminApp;
  let keys: WritableKeyStore;
  const k: Record<string, { key: string; id: string }> = {};
  beforeAll(async () => {
    keys = memoryKeyStore();
    const tenants = memoryTenantStore([{ id: 'acme', status: 'active', tags: [] }, { id: 'globex', status: 'active', tags: [] }]);
    app = await startAdminApp(keys, tenants);
    k['admin'] = await app.key({ subject: 'ana', tenantId: 'acme', roles: ['inference', 'billing'], scopes: ['admin:keys', 'chat'], models: ['gpt-4o*'] });
    k['user'] = await app.key({ subject: 'ben', tenantId: 'acme', roles: ['inference'] });
    k['owner'] = await app.key({ subject: 'cat', tenantId: 'acme', roles: ['owner'] });
    k['plain'] = await app.key({ subject: 'dan', tenantId: 'acme', roles: ['inference'], scopes: ['chat'] });
    k['globex'] = await app.key({ subject: 'eve', tenantId: 'globex', roles: ['inference'] });
    k['globexAdmin'] = await app.key({ subject: 'fay', tenantId: 'globex', scopes: ['admin:keys'] });
  });
  afterAll(() => app.close());

  it('needs a credential, and the admin:keys permission', async () => {
    expect((await app.call('GET', '/admin/keys', undefined)).status).toBe(401);
    const plain = await app.call('GET', '/admin/keys', k['plain']!.key);
    expect(plain.status).toBe(403);
    expect(plain.json()['error']).toMatchObject({ code: 'insufficient_scope', tg_code: 'TG_INSUFFICIENT_SCOPE' });
    expect(plain.headers.get('www-authenticate')).toBe('Bearer realm="tollgate", error="insufficient_scope", scope="admin:keys"');
  });

  it("lists its own tenant's keys only; asking for another tenant's is refused", async () => {
    const listed = await app.call('GET', '/admin/keys', k['admin']!.key);
    expect(listed.status).toBe(200);
    const ids = (listed.json()['data'] as Array<{ id: string; tenantId: string }>).map((r) => r.id).sort();
    expect(ids).toEqual([k['admin']!.id, k['user']!.id, k['owner']!.id, k['plain']!.id].sort());
    const other = await app.call('GET', '/admin/keys?tenant=globex', k['admin']!.key);
    expect(other.status).toBe(403);
    expect(other.json()['error']).toMatchObject({ tg_code: 'TG_TENANT_MISMATCH' });
    // The tenant header is honoured only for multi-tenant principals: resolveTenant refuses it first.
    expect((await app.call('GET', '/admin/keys', k['admin']!.key, undefined, { 'x-tenant-id': 'globex' })).status).toBe(403);
  });

  it("cannot see, rotate or revoke another tenant's key: the same 404 as a key that does not exist", async () => {
    for (const [method, suffix] of [['GET', ''], ['POST', '/rotate'], ['POST', '/revoke']] as const) {
      const theirs = await app.call(method, `/admin/keys/${k['globex']!.id}${suffix}`, k['admin']!.key);
      const missing = await app.call(method, `/admin/keys/NoSuchKey123${suffix}`, k['admin']!.key);
      expect([theirs.status, missing.status]).toEqual([404, 404]);
      expect(theirs.json()['error']).toMatchObject({ code: 'not_found', tg_code: 'TG_NOT_FOUND' });
      expect(Object.keys(theirs.json()['error'] as object).sort()).toEqual(Object.keys(missing.json()['error'] as object).sort());
    }
    const stored = await keys.get(k['globex']!.id);
    expect(stored?.revokedAt).toBeUndefined();
    expect(stored?.rotatedTo).toBeUndefined();
    expect((await app.call('POST', '/v1/chat/completions', k['globex']!.key, {})).status).toBe(200);
  });

  it('cannot create a key with more roles, scopes or models than it has, or for another tenant', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ subject: 'x', roles: ['inference', 'owner'] }, 'TG_PRIVILEGE_ESCALATION', 'roles'],
      [{ subject: 'x', scopes: ['admin:tenants'] }, 'TG_PRIVILEGE_ESCALATION', 'scopes'],
      [{ subject: 'x', models: ['claude-*'] }, 'TG_PRIVILEGE_ESCALATION', 'models'],
      [{ subject: 'x' }, 'TG_PRIVILEGE_ESCALATION', 'models'], // no models list would mean every model
      [{ subject: 'x', env: 'test', models: ['gpt-4o*'] }, 'TG_PRIVILEGE_ESCALATION', 'env'],
      [{ subject: 'x', tenantId: 'globex', models: ['gpt-4o*'] }, 'TG_TENANT_MISMATCH', ''],
    ];
    const before = (await keys.list()).length;
    for (const [body, code, param] of cases) {
      const refused = await app.call('POST', '/admin/keys', k['admin']!.key, body);
      expect(refused.status, JSON.stringify(body)).toBe(403);
      expect(refused.json()['error'], JSON.stringify(body)).toMatchObject({ tg_code: code, ...(param === '' ? {} : { param }) });
    }
    expect((await keys.list()).length).toBe(before);
  });

  it('creates a key within its grant, shown once, that works at once; listings never show it', async () => {
    const created = await app.call('POST', '/admin/keys', k['admin']!.key, { subject: 'svc-etl', kind: 'service', roles: ['billing'], scopes: ['chat'], models: ['gpt-4o-mini'], name: 'etl' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const body = created.json() as { key: string; record: Record<string, unknown>; warning: string };
    rememberSecret(body.key);
    expect(body.record).toMatchObject({ subject: 'svc-etl', kind: 'service', tenantId: 'acme', env: 'live', roles: ['billing'], status: 'active' });
    expect(body.record).not.toHaveProperty('hash');
    expect(body.warning).toMatch(/shown once/);
    expect((await app.call('POST', '/v1/chat/completions', body.key, {})).json()).toEqual({ caller: 'svc-etl', tenant: 'acme' });
    const secret = parseApiKey(body.key)!.secret;
    for (const path of ['/admin/keys', `/admin/keys/${body.record['id'] as string}`]) {
      const text = (await app.call('GET', path, k['admin']!.key)).text;
      expect(text).toContain(body.record['id'] as string);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('$argon2id$');
    }
  });

  it('cannot rotate a key that carries more than it has (a new secret for a stronger identity), but may revoke it', async () => {
    const refused = await app.call('POST', `/admin/keys/${k['owner']!.id}/rotate`, k['admin']!.key);
    expect(refused.status).toBe(403);
    expect(refused.json()['error']).toMatchObject({ tg_code: 'TG_PRIVILEGE_ESCALATION', param: 'roles' });
    expect(await keys.get(k['owner']!.id)).not.toHaveProperty('rotatedTo');
    expect((await keys.list({ tenantId: 'acme' })).filter((r) => r.subject === 'cat')).toHaveLength(1);
    expect((await app.call('POST', `/admin/keys/${k['owner']!.id}/revoke`, k['admin']!.key)).status).toBe(200);
  });

  it("revokes a key of its tenant: the very next request with it is refused", async () => {
    expect((await app.call('POST', '/v1/chat/completions', k['user']!.key, {})).status).toBe(200);
    const revoked = await app.call('POST', `/admin/keys/${k['user']!.id}/revoke`, k['admin']!.key);
    expect(revoked.status).toBe(200);
    expect(revoked.json()).toMatchObject({ id: k['user']!.id, status: 'revoked' });
    expect((await app.call('POST', '/v1/chat/completions', k['user']!.key, {})).status).toBe(401);
  });

  it('rotates with a grace period: both keys work, the new one is shown once', async () => {
    const target = await app.key({ subject: 'gus', tenantId: 'acme', roles: ['inference'], models: ['gpt-4o-mini'] });
    const rotated = await app.call('POST', `/admin/keys/${target.id}/rotate`, k['admin']!.key, { graceSeconds: 3600 });
    expect(rotated.status).toBe(201);
    const body = rotated.json() as { key: string; record: { id: string; rotatedFrom: string }; previous: { status: string; rotatedTo: string } };
    rememberSecret(body.key);
    expect(body.record.rotatedFrom).toBe(target.id);
    expect(body.previous).toMatchObject({ status: 'rotating', rotatedTo: body.record.id });
    expect((await app.call('POST', '/v1/chat/completions', target.key, {})).status).toBe(200);
    expect((await app.call('POST', '/v1/chat/completions', body.key, {})).status).toBe(200);
    expect((await app.call('POST', `/admin/keys/${target.id}/rotate`, k['admin']!.key)).json()['error']).toMatchObject({ tg_code: 'TG_CONFLICT' });
  });

  it("another tenant's admin sees only its own tenant", async () => {
    const listed = (await app.call('GET', '/admin/keys', k['globexAdmin']!.key)).json()['data'] as Array<{ tenantId: string }>;
    expect(new Set(listed.map((r) => r.tenantId))).toEqual(new Set(['globex']));
    expect((await app.call('POST', `/admin/keys/${k['plain']!.id}/revoke`, k['globexAdmin']!.key)).status).toBe(404);
  });

  it('refuses bad requests with the field at fault, unknown paths and wrong methods', async () => {
    const unknownField = await app.call('POST', '/admin/keys', k['admin']!.key, { subject: 'x', models: ['gpt-4o'], role: ['typo'] });
    expect([unknownField.status, unknownField.json()['error']]).toEqual([400, expect.objectContaining({ tg_code: 'TG_INVALID_REQUEST', param: 'role' })]);
    const badDate = await app.call('POST', '/admin/keys', k['admin']!.key, { subject: 'x', models: ['gpt-4o'], expiresAt: 'soon' });
    expect(badDate.json()['error']).toMatchObject({ tg_code: 'TG_INVALID_REQUEST', param: 'expiresAt' });
    expect((await app.call('POST', '/admin/keys', k['admin']!.key, '{"subject": "x", "subject": "y"}')).json()['error']).toMatchObject({ tg_code: 'TG_DUPLICATE_KEY' });
    expect((await app.call('POST', '/admin/keys', k['admin']!.key, '{"subject": ')).status).toBe(400);
    const wrongMethod = await app.call('DELETE', `/admin/keys/${k['plain']!.id}`, k['admin']!.key);
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await app.call('GET', '/admin/policies', k['admin']!.key)).status).toBe(404);
  });

  it('records every admin request in the inference log, and no record holds a key', async () => {
    await app.records.waitFor((r) => JSON.stringify(r).includes('keys.rotate'));
    const text = JSON.stringify(app.records.records);
    expect(text).toContain('"operation":"keys.create"');
    for (const { key } of Object.values(k)) expect(text).not.toContain(parseApiKey(key)!.secret);
  });
});
