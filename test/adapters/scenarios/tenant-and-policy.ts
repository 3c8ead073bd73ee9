// Which tenant and what it may do: DESIGN.md's 403s (tenant, policy, scope) and 400s (body, model) through every adapter.
import { expect } from 'vitest';
import { withKey, type Scenario } from '../scenario.js';
import { chat, errorOf, jsonHeaders, mintKey } from './contract-keys.js';

export const tenantAndPolicyScenarios: readonly Scenario[] = [
  {
    name: 'lets an active tenant’s allowed request reach the handler with its body',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const res = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body: chat('gpt-standard') });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { body: { model: string } }).body.model).toBe('gpt-standard');
    },
  },
  {
    name: 'answers 403 tenant_suspended for a suspended tenant, before the handler runs',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'initech', roles: ['dev'] });
      const id = target.nextId();
      const res = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(key, id), body: chat('gpt-standard') });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-request-id')).toBe(id);
      expect(await errorOf(res)).toMatchObject({ type: 'permission_error', code: 'tenant_suspended', tg_code: 'TG_TENANT_SUSPENDED' });
    },
  },
  {
    name: 'answers 403 for a tenant header that names another tenant, the same whether that tenant exists or not',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const send = (tenant: string) => fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(key, 'same-id', { 'x-tenant-id': tenant }), body: chat('gpt-standard') });
      const [existing, missing, own] = await Promise.all([send('globex'), send('no-such-tenant'), send('acme')]);
      expect(existing.status).toBe(403);
      expect(missing.status).toBe(403);
      const body = await existing.text();
      expect(JSON.parse(body)).toMatchObject({ error: { tg_code: 'TG_TENANT_MISMATCH' } });
      expect(await missing.text()).toBe(body);
      expect(own.status).toBe(200);
    },
  },
  {
    name: 'answers 403 policy_denied naming the rule that denied',
    async run(target) {
      const dev = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const premium = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(dev.key, target.nextId()), body: chat('gpt-premium') });
      expect(premium.status).toBe(403);
      expect(await errorOf(premium)).toMatchObject({ type: 'permission_error', code: 'policy_denied', tg_code: 'TG_POLICY_DENIED', rule: 'premium-is-for-admins' });
      const noRole = await mintKey(target, { tenantId: 'acme' });
      const none = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(noRole.key, target.nextId()), body: chat('gpt-standard') });
      expect(none.status).toBe(403);
      expect(await errorOf(none)).toMatchObject({ code: 'policy_denied', rule: 'default-deny' });
    },
  },
  {
    name: 'answers 403 insufficient_scope with WWW-Authenticate naming the scope the action needs',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const res = await fetch(`${target.url}/policy/admin/keys`, { headers: withKey(key, target.nextId()) });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate", error="insufficient_scope", scope="admin"');
      expect(await errorOf(res)).toMatchObject({ tg_code: 'TG_INSUFFICIENT_SCOPE', required_scope: 'admin', rule: 'required-scope' });
    },
  },
  {
    name: 'answers 400 with the offending param for an invalid body, and model_not_found for an unknown model',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const send = (body: string) => fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body });
      const badTokens = await send(chat('gpt-standard', { max_tokens: 'many' }));
      expect(badTokens.status).toBe(400);
      expect(await errorOf(badTokens)).toMatchObject({ type: 'invalid_request_error', param: 'max_tokens' });
      const noMessages = await send(JSON.stringify({ model: 'gpt-standard' }));
      expect(noMessages.status).toBe(400);
      expect(await errorOf(noMessages)).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
      const unknown = await send(chat('gpt-nonexistent'));
      expect(unknown.status).toBe(400);
      expect(await errorOf(unknown)).toMatchObject({ code: 'model_not_found', param: 'model' });
    },
  },
];
