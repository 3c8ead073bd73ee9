// authorize on a real pipeline with the RBAC provider: routes to actions, scopes, missing steps, failing providers, fallbacks.
import { describe, expect, it } from 'vitest';
import type { ModelInfo, Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { Step } from '../pipeline/step.js';
import { rbac } from '../rbac/rbac.js';
import { authorize, type AuthorizeOptions } from './authorize.js';
import type { PolicyProvider } from './policy-provider.js';

const registry: Record<string, ModelInfo> = {
  'gpt-standard': { name: 'gpt-standard', requested: 'gpt-standard', tags: ['shared'], maxOutputTokens: 4096 },
  'gpt-premium': { name: 'gpt-premium', requested: 'gpt-premium', tags: ['shared'], maxOutputTokens: 4096 },
  'ft-acme': { name: 'ft-acme', requested: 'ft-acme', tags: ['customer:acme'], maxOutputTokens: 4096 },
};
const lookup = (name: string): ModelInfo | undefined => registry[name];

const provider = () =>
  rbac({
    policy: {
      roles: { analyst: { permissions: ['chat'] }, manager: { inherits: ['analyst'] }, 'key-admin': { permissions: ['keys'] } },
      permissions: { chat: { actions: ['inference:*'], models: { tags: ['shared', 'customer:{tenant}'] } }, keys: { actions: ['admin:keys'] } },
      forbid: {
        'premium-is-for-managers': { models: { names: ['gpt-premium'] }, exceptRoles: ['manager'], fallback: 'gpt-standard' },
        'other-tenants-models': { models: { tags: ['customer:*'] }, exceptModels: { tags: ['customer:{tenant}'] }, conceal: true },
      },
    },
  });

const alice = (roles: string[], scopes: string[] = []): Principal => ({ subject: 'alice', kind: 'user', method: 'api_key', tenantId: 'acme', roles, scopes, claims: {} });
const signedIn = (who: Principal | undefined): Step => ({ name: 'authenticate', requires: [], run: (ctx) => void (ctx.principal = who) });
const tenantOf = (id: string): Step => ({ name: 'resolveTenant', requires: [], run: (ctx) => void (ctx.tenant = { id, status: 'active', tags: [] }) });
/** Stands in for validateRequest: resolves the body's model in the registry above (unknown: the same error as a concealed one). */
const validated: Step = {
  name: 'validateRequest',
  requires: [],
  async run(ctx) {
    const body = (await ctx.request.json()) as { model: string; stream?: boolean };
    const model = lookup(body.model);
    if (model === undefined) throw new TollgateError('TG_MODEL_NOT_FOUND', { param: 'model', message: `The model "${body.model}" does not exist or you do not have access to it.` });
    ctx.model = model;
    ctx.inference = { api: 'chat', stream: body.stream === true, maxTokens: 100, n: 1, toolCount: 0, messageCount: 1, promptTokens: 5 };
  },
};

interface Call {
  readonly who?: Principal | undefined;
  readonly path?: string;
  readonly method?: string;
  readonly body?: Record<string, unknown>;
  readonly steps?: readonly Step[];
  readonly options?: Partial<AuthorizeOptions>;
}

async function call(c: Call) {
  const { path = '/v1/chat/completions', method = 'POST', body = { model: 'gpt-standard' }, steps = [tenantOf('acme'), validated], options = {} } = c;
  const who = 'who' in c ? c.who : alice(['analyst']);
  const step = authorize({ provider: provider(), models: lookup, routes: [{ path: '/admin/keys/**', action: 'admin:keys' }], ...options });
  const pipeline = createPipeline({ steps: [signedIn(who), ...steps, step] });
  const handle = pipeline.start({ method, path, headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'parsed', value: body }) });
  const response = await pipeline.run(handle);
  await step.close();
  const error = response === undefined ? undefined : (JSON.parse(response.body) as { error: Record<string, unknown> }).error;
  return { response, error, context: handle.context as TgContext, body };
}

describe('authorize', () => {
  it('allows what a permission covers and records the decision', async () => {
    const { response, context } = await call({});
    expect(response).toBeUndefined();
    expect(context.decisions.authz).toEqual({ allow: true, rule: 'chat', provider: 'rbac', action: 'inference:chat' });
  });

  it('answers 403 naming the rule, and maps admin routes to their action', async () => {
    const { response, error, context } = await call({ path: '/admin/keys/k1', method: 'DELETE', steps: [tenantOf('acme')] });
    expect(response?.status).toBe(403);
    expect(error).toEqual({ rule: 'default-deny', message: 'No rule of the policy allows "admin:keys".', type: 'permission_error', code: 'policy_denied', param: null, tg_code: 'TG_POLICY_DENIED' });
    expect(context.decisions.authz).toMatchObject({ allow: false, rule: 'default-deny', action: 'admin:keys' });
    expect((await call({ who: alice(['key-admin']), path: '/admin/keys/k1', method: 'DELETE', steps: [tenantOf('acme')] })).response).toBeUndefined();
  });

  it('denies a route no action is mapped to', async () => {
    const { response, error } = await call({ path: '/internal/debug', method: 'GET', steps: [tenantOf('acme')] });
    expect(response?.status).toBe(403);
    expect(error).toMatchObject({ rule: 'unmapped-route', tg_code: 'TG_POLICY_DENIED' });
  });

  it('answers a scope shortfall with insufficient_scope and the scope it needs', async () => {
    const options = { scopes: [{ action: 'inference:*', scope: 'inference' }] };
    const { response, error, context } = await call({ options });
    expect(response?.status).toBe(403);
    expect(response?.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="insufficient_scope", scope="inference"');
    expect(error).toMatchObject({ tg_code: 'TG_INSUFFICIENT_SCOPE', required_scope: 'inference', rule: 'required-scope' });
    expect(context.decisions.authz).toMatchObject({ allow: false, rule: 'required-scope' });
    expect((await call({ who: alice(['analyst'], ['inference']), options })).response).toBeUndefined();
  });

  it('routes to the fallback model instead of denying: context, body, header and record', async () => {
    const { response, context, body } = await call({ body: { model: 'gpt-premium', messages: [] } });
    expect(response).toBeUndefined();
    expect(body).toEqual({ model: 'gpt-standard', messages: [] });
    expect(context.model).toEqual({ ...registry['gpt-standard'], requested: 'gpt-premium' });
    expect(context.responseHeaders['x-tollgate-model-rewritten']).toBe('gpt-standard');
    expect(context.decisions.authz).toEqual({
      allow: true, rule: 'chat', provider: 'rbac', action: 'inference:chat',
      obligations: [{ type: 'fallback-model', from: 'gpt-premium', to: 'gpt-standard', rule: 'premium-is-for-managers' }],
    });
    const manager = await call({ who: alice(['manager']), body: { model: 'gpt-premium' } });
    expect(manager.body.model).toBe('gpt-premium');
    expect(manager.context.responseHeaders['x-tollgate-model-rewritten']).toBeUndefined();
  });

  it('denies when the fallback model cannot be found, is not allowed either, or the body cannot be rewritten', async () => {
    const gone = await call({ body: { model: 'gpt-premium' }, options: { models: (n) => (n === 'gpt-standard' ? undefined : lookup(n)) } });
    expect(gone.error).toMatchObject({ rule: 'premium-is-for-managers', tg_code: 'TG_POLICY_DENIED' });
    const denied = await call({ body: { model: 'gpt-premium' }, options: { models: (n) => (n === 'gpt-standard' ? { ...registry['gpt-standard']!, tags: [] } : lookup(n)) } });
    expect(denied.error).toMatchObject({ rule: 'premium-is-for-managers' });
    expect(denied.body.model).toBe('gpt-premium');
    const rewritten: Step = { name: 'validateRequest', requires: [], run: (ctx) => void (ctx.model = registry['gpt-premium']) };
    const noBodyModel = await call({ body: { prompt: 'x' }, steps: [tenantOf('acme'), rewritten] });
    expect(noBodyModel.response?.status).toBe(403);
    expect(noBodyModel.context.model?.name).toBe('gpt-premium');
  });

  it('conceals another tenant’s model: the same bytes as a model that does not exist', async () => {
    const concealed = await call({ body: { model: 'ft-acme' }, steps: [tenantOf('globex'), validated] });
    const unknown = await call({ body: { model: 'no-such-model' }, steps: [tenantOf('globex'), validated] });
    expect(concealed.response?.status).toBe(400);
    const strip = (text: string | undefined) => text?.replace(/req_[\w-]+/g, '').replace(/ft-acme|no-such-model/g, 'M');
    expect(strip(concealed.response?.body)).toBe(strip(unknown.response?.body));
    expect(concealed.context.decisions.authz).toMatchObject({ allow: false, rule: 'other-tenants-models' });
    expect(concealed.context.decisions.authz?.error).toBeUndefined();
  });

  it('answers 500 naming the missing step when the policy needs facts no step provides', async () => {
    const noValidate = await call({ steps: [tenantOf('acme')] });
    expect(noValidate.response?.status).toBe(500);
    expect(noValidate.error).toMatchObject({ tg_code: 'TG_PIPELINE_ORDER', message: 'The server is misconfigured: the authorization policy needs validateRequest to run before authorize.' });
    expect(noValidate.context.decisions.authz).toMatchObject({ allow: false, error: 'TG_PIPELINE_ORDER' });
    const noTenant = await call({ body: { model: 'ft-acme' }, steps: [validated] });
    expect(noTenant.error).toMatchObject({ message: 'The server is misconfigured: the authorization policy needs resolveTenant to run before authorize.' });
  });

  it('refuses without a principal (401) and fails closed on a provider that throws or answers nonsense', async () => {
    expect((await call({ who: undefined })).response?.status).toBe(401);
    const throwing: PolicyProvider = { name: 'broken', decide: () => { throw new Error('boom'); } };
    const thrown = await call({ options: { provider: throwing } });
    expect(thrown.response?.status).toBe(500);
    expect(thrown.response?.body).not.toContain('boom');
    const nonsense = [{ allow: 'yes', rule: 'r' }, { allow: true }, { allow: true, rule: 'r', obligations: [{ type: 'fallback-model', model: 'm' }] }, null, { allow: false, rule: 'r', obligations: [{ type: 'log' }] }];
    for (const answer of nonsense) {
      const result = await call({ options: { provider: { name: 'odd', decide: () => answer as never } } });
      expect({ answer, status: result.response?.status }).toEqual({ answer, status: 500 });
    }
    const down: PolicyProvider = { name: 'remote', decide: () => Promise.reject(new TollgateError('TG_POLICY_UNAVAILABLE', { retryAfterSeconds: 1 })) };
    const unavailable = await call({ options: { provider: down } });
    expect(unavailable.response?.status).toBe(503);
    expect(unavailable.context.decisions.authz).toMatchObject({ allow: false, provider: 'remote', error: 'TG_POLICY_UNAVAILABLE' });
  });

  it('asks a provider that needs model facts nothing without them: 500 before the call', async () => {
    let asked = 0;
    const remote: PolicyProvider = { name: 'remote', requiresFacts: ['model', 'inference'], decide: () => (asked++, { allow: true, rule: 'r' }) };
    expect((await call({ steps: [tenantOf('acme')], options: { provider: remote } })).response?.status).toBe(500);
    expect(asked).toBe(0);
    expect((await call({ path: '/admin/keys/x', steps: [tenantOf('acme')], options: { provider: remote } })).response).toBeUndefined();
  });

  it('awaits a provider given as a promise, and fails closed if it never loads', async () => {
    const later = Promise.resolve(provider());
    expect((await call({ options: { provider: later } })).response).toBeUndefined();
    const failed = Promise.reject(new ConfigError('cedar policy is broken'));
    const step = authorize({ provider: failed });
    await expect(step.ready()).rejects.toThrow('cedar policy is broken');
    expect((await call({ options: { provider: failed } })).response?.status).toBe(500);
  });

  it('refuses bad options at startup', () => {
    expect(() => authorize({} as AuthorizeOptions)).toThrow('options.provider is required');
    expect(() => authorize({ provider: { name: 'x' } as PolicyProvider })).toThrow('must be a PolicyProvider');
    expect(() => authorize({ provider: provider() })).toThrow('routes requests to fallback models; pass options.models');
    expect(() => authorize({ provider: provider(), models: lookup, routes: [{ path: 'admin', action: 'admin:keys' }] })).toThrow('authorize.routes[0].path');
    expect(() => authorize({ provider: provider(), models: lookup, routes: [{ path: '/a', action: 'not an action' }] })).toThrow('authorize.routes[0].action');
    expect(() => authorize({ provider: provider(), models: lookup, scopes: [{ action: 'admin:*', scope: '' }] })).toThrow('authorize.scopes[0]');
    expect(() => authorize({ provider: provider(), models: lookup, rewriteHeader: 'bad header' })).toThrow('authorize.rewriteHeader');
  });
});
