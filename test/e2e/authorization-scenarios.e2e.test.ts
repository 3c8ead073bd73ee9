// The four authorization scenarios of issue 4 over a real socket through the Express adapter, once with RBAC and once with Cedar.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKey, cedar, createApiKey, gate, memoryAuditSink, memoryKeyStore, memoryTenantStore, modelNotFoundError, rbac, tollgateCedarSchema,
  type Gate, type MemoryAuditSink, type PolicyProvider, type Step,
} from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { scenarioCedarPolicies, scenarioModels, scenarioRbacPolicy } from '../support/authorization-scenarios.js';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';

/** Stands in for validateRequest (built elsewhere): resolves the body's model and sets the facts authorize reads. */
const validateRequest: Step = {
  name: 'validateRequest',
  requires: ['authenticate'],
  async run(ctx) {
    if (!ctx.request.path.endsWith('/chat/completions')) return;
    const body = (await ctx.request.json()) as { model?: unknown; stream?: unknown; max_tokens?: unknown };
    const model = typeof body.model === 'string' ? scenarioModels[body.model] : undefined;
    if (model === undefined) throw modelNotFoundError(String(body.model));
    ctx.model = model;
    ctx.inference = { api: 'chat', stream: body.stream === true, maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined, n: 1, toolCount: 0, messageCount: 1, promptTokens: 8 };
  },
};

const people = {
  manager: { tenantId: 'tenantA', roles: ['manager'] },
  developer: { tenantId: 'tenantA', roles: ['developer'] },
  qa: { tenantId: 'tenantA', roles: ['qa'] },
  external: { tenantId: 'tenantA', roles: ['external'] },
  analyst: { tenantId: 'tenantA', roles: ['analyst'] },
  'key-admin': { tenantId: 'tenantA', roles: ['key-admin'] },
  'analyst-and-key-admin': { tenantId: 'tenantA', roles: ['analyst', 'key-admin'] },
  'developer-b': { tenantId: 'tenantB', roles: ['developer'] },
} as const;
type Person = keyof typeof people;

/** What a client saw, reduced to what the scenarios compare. */
interface Outcome {
  status: number;
  rule?: unknown;
  code?: unknown;
  served?: unknown;
  rewritten?: string | null;
}

const engines: [string, (routeExpensive: boolean) => PolicyProvider | Promise<PolicyProvider>][] = [
  ['rbac', (routeExpensive) => rbac({ policy: scenarioRbacPolicy(routeExpensive) })],
  ['cedar', (routeExpensive) => cedar({ policies: scenarioCedarPolicies(routeExpensive), schema: tollgateCedarSchema() })],
];
const seen = new Map<string, Record<string, Outcome>>();

for (const [engine, provider] of engines) {
  for (const routeExpensive of [false, true]) {
    describe(`authorization scenarios with ${engine}${routeExpensive ? ', routing to the cheaper model' : ''}`, () => {
      const keys: Record<string, string> = {};
      const outcomes: Record<string, Outcome> = {};
      let server: Server;
      let url: string;
      let tg: Gate;
      let audit: MemoryAuditSink;

      beforeAll(async () => {
        const store = memoryKeyStore();
        for (const [name, who] of Object.entries(people)) {
          const { key, record } = await createApiKey({ subject: name, tenantId: who.tenantId, roles: [...who.roles], hash: { memoryCost: 1024, timeCost: 1 } });
          rememberSecret(key);
          keys[name] = key;
          await store.put(record);
        }
        const tenants = memoryTenantStore([{ id: 'tenantA', status: 'active', tags: [] }, { id: 'tenantB', status: 'active', tags: [] }]);
        audit = memoryAuditSink();
        tg = gate({
          inferenceLog: { sinks: [audit] },
          authenticate: { methods: [apiKey({ store })] },
          resolveTenant: { store: tenants },
          validateRequest,
          authorize: { provider: provider(routeExpensive), models: (name) => scenarioModels[name], routes: [{ path: '/admin/**', action: 'admin:keys' }] },
          onError: (error) => rememberLog(`scenarios ${engine}`, `${error.code} ${String(error.cause)}`),
        });
        await tg.ready();
        const app = express();
        app.use(tollgate(tg));
        app.post('/v1/chat/completions', (req, res) => void res.json({ served: (req.body as { model: string }).model, authz: req.tollgate?.decisions.authz }));
        app.all('/admin/keys', (_req, res) => void res.json({ ok: true }));
        server = app.listen(0, '127.0.0.1');
        await once(server, 'listening');
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        server.close();
        await tg.close();
        seen.set(`${routeExpensive}`, { ...(seen.get(`${routeExpensive}`) ?? {}), ...Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [`${engine}:${k}`, v])) });
      });

      async function send(who: Person, path: string, model?: string): Promise<Outcome & { body: string; requestId: string }> {
        const res = await fetch(`${url}${path}`, {
          method: model === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${keys[who]}`, ...(model === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(model === undefined ? {} : { body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) }),
        });
        const body = await res.text();
        const parsed = JSON.parse(body) as { error?: { rule?: unknown; tg_code?: unknown }; served?: unknown; authz?: { rule?: unknown } };
        const outcome: Outcome = {
          status: res.status,
          rule: parsed.error?.rule ?? parsed.authz?.rule,
          code: parsed.error?.tg_code,
          served: parsed.served,
          rewritten: res.headers.get('x-tollgate-model-rewritten'),
        };
        outcomes[`${who} ${path} ${model ?? ''}`] = outcome;
        return { ...outcome, body: body.replace(/req_[\w-]+/g, ''), requestId: res.headers.get('x-request-id') ?? '' };
      }

      it('1. only managers may use the expensive model; others are refused or routed to the cheaper one', async () => {
        expect(await send('manager', '/v1/chat/completions', 'gpt-premium')).toMatchObject({ status: 200, served: 'gpt-premium', rewritten: null });
        const developer = await send('developer', '/v1/chat/completions', 'gpt-premium');
        if (routeExpensive) {
          expect(developer).toMatchObject({ status: 200, served: 'gpt-standard', rewritten: 'gpt-standard', rule: 'inference' });
          expect(JSON.parse(developer.body).authz.obligations).toEqual([{ type: 'fallback-model', from: 'gpt-premium', to: 'gpt-standard', rule: 'expensive-model-is-for-managers' }]);
          // The rewrite is in the inference record too.
          const record = (await audit.waitFor((r) => r.request_id === developer.requestId)) as unknown as Record<string, unknown>;
          expect(record).toMatchObject({ model: 'gpt-standard', model_requested: 'gpt-premium', tenant_id: 'tenantA' });
          expect((record['decision'] as { authz: unknown }).authz).toMatchObject({ allow: true, obligations: [{ type: 'fallback-model', from: 'gpt-premium', to: 'gpt-standard' }] });
        } else {
          expect(developer).toMatchObject({ status: 403, rule: 'expensive-model-is-for-managers', code: 'TG_POLICY_DENIED' });
        }
        expect(await send('developer', '/v1/chat/completions', 'gpt-standard')).toMatchObject({ status: 200, served: 'gpt-standard', rule: 'inference' });
      });

      it('2. tenant A’s model is for tenant A only; tenant B cannot tell it exists', async () => {
        expect(await send('developer', '/v1/chat/completions', 'ft-tenant-a')).toMatchObject({ status: 200, served: 'ft-tenant-a' });
        const hidden = await send('developer-b', '/v1/chat/completions', 'ft-tenant-a');
        const absent = await send('developer-b', '/v1/chat/completions', 'ft-tenant-z');
        expect(hidden).toMatchObject({ status: 400, code: 'TG_MODEL_NOT_FOUND' });
        expect(hidden.body.replace('ft-tenant-a', 'M')).toBe(absent.body.replace('ft-tenant-z', 'M'));
        expect(hidden.body).not.toMatch(/customer|tenantA|other-tenants/);
        expect(await send('developer-b', '/v1/chat/completions', 'gpt-standard')).toMatchObject({ status: 200, served: 'gpt-standard' });
      });

      it('3. only QA may use staging models; developers and external users are blocked', async () => {
        expect(await send('qa', '/v1/chat/completions', 'llama-staging')).toMatchObject({ status: 200, served: 'llama-staging' });
        for (const who of ['developer', 'external', 'manager'] as const) {
          const refused = await send(who, '/v1/chat/completions', 'llama-staging');
          expect(refused).toMatchObject({ status: 403, rule: 'staging-is-for-qa' });
          expect(JSON.parse(refused.body).error.message).toBe('Only QA may use staging models.');
        }
        expect(await send('external', '/v1/chat/completions', 'gpt-standard')).toMatchObject({ status: 200 });
      });

      it('4. analysts may run inference but never call admin routes', async () => {
        expect(await send('analyst', '/v1/chat/completions', 'gpt-standard')).toMatchObject({ status: 200, rule: 'inference' });
        expect(await send('analyst', '/admin/keys')).toMatchObject({ status: 403, rule: 'analysts-never-admin', code: 'TG_POLICY_DENIED' });
        expect(await send('analyst-and-key-admin', '/admin/keys')).toMatchObject({ status: 403, rule: 'analysts-never-admin' });
        expect(await send('key-admin', '/admin/keys')).toMatchObject({ status: 200, rule: undefined });
        expect(await send('key-admin', '/v1/chat/completions', 'gpt-standard')).toMatchObject({ status: 403, rule: 'default-deny' });
      });
    });
  }
}

describe('RBAC and Cedar', () => {
  it('gave every request the same outcome', () => {
    for (const routeExpensive of ['false', 'true']) {
      const all = seen.get(routeExpensive) ?? {};
      const rbacOutcomes = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('rbac:')).map(([k, v]) => [k.slice(5), v]));
      const cedarOutcomes = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('cedar:')).map(([k, v]) => [k.slice(6), v]));
      expect(Object.keys(rbacOutcomes).length).toBeGreaterThan(10);
      expect(cedarOutcomes).toEqual(rbacOutcomes);
    }
  });
});
