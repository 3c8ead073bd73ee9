// RBAC decisions without HTTP: inheritance, forbid rules, constraints, environments, tenants, placeholders, missing facts.
import { describe, expect, it } from 'vitest';
import { authorizationRequest, type AuthorizationRequestParts } from '../authorize/authorization-request.js';
import type { InferenceInfo, ModelInfo, Principal, Tenant } from '../context/principal.js';
import { decideRbac } from './evaluate-rbac.js';
import { readRbacPolicyObject } from './read-rbac-policy.js';

const policy = readRbacPolicyObject({
  roles: {
    analyst: { permissions: ['chat-shared'] },
    developer: { inherits: ['analyst'], permissions: ['embeddings'] },
    qa: { inherits: ['developer'] },
    manager: { inherits: ['developer'] },
    'key-admin': { permissions: ['manage-keys'] },
    tester: { permissions: ['test-keys-only'] },
    limited: { permissions: ['limited-chat'] },
    premium: { permissions: ['enterprise-tier'] },
    'tenant-bound': { permissions: ['own-tenant-chat'] },
  },
  permissions: {
    'chat-shared': { actions: ['inference:*'], models: { tags: ['shared', 'customer:{tenant}'] } },
    embeddings: { actions: ['inference:embeddings'] },
    'manage-keys': { actions: ['admin:keys'] },
    'test-keys-only': { actions: ['inference:chat'], environments: ['test'] },
    'limited-chat': { actions: ['inference:chat'], constraints: { stream: false, tools: false, maxTokens: 1000, n: 1 } },
    'enterprise-tier': { actions: ['inference:chat'], tenants: { tiers: ['enterprise'] } },
    'own-tenant-chat': { actions: ['inference:chat'], tenants: { ids: ['acme'] } },
  },
  forbid: {
    'staging-is-qa-only': { models: { tags: ['env:staging'] }, exceptRoles: ['qa'], message: 'Staging models are for QA.' },
    'premium-is-for-managers': { models: { names: ['gpt-premium*'] }, exceptRoles: ['manager'], fallback: 'gpt-standard' },
    'other-tenants-models': { models: { tags: ['customer:*'] }, exceptModels: { tags: ['customer:{tenant}'] }, conceal: true },
    'analysts-never-admin': { roles: ['analyst'], actions: ['admin:*'] },
  },
});

const who = (roles: string[], claims: Record<string, unknown> = {}): Principal => ({ subject: 'u1', kind: 'user', method: 'api_key', tenantId: 'acme', roles, scopes: [], claims });
const acme: Tenant = { id: 'acme', status: 'active', tier: 'pro', tags: [] };
const model = (name: string, tags: string[], extra: Partial<ModelInfo> = {}): ModelInfo => ({ name, requested: name, tags, maxOutputTokens: 4096, ...extra });
const chat = (extra: Partial<InferenceInfo> = {}): InferenceInfo => ({ api: 'chat', stream: false, maxTokens: 500, n: 1, toolCount: 0, messageCount: 1, promptTokens: 10, ...extra });
const shared = model('gpt-standard', ['shared']);

function decide(parts: Partial<AuthorizationRequestParts> & { principal: Principal }) {
  return decideRbac(policy, authorizationRequest({ tenant: acme, action: 'inference:chat', model: shared, inference: chat(), missing: [], ...parts }));
}

describe('decideRbac', () => {
  it('allows through inherited permissions and names the permission', () => {
    expect(decide({ principal: who(['analyst']) })).toEqual({ allow: true, rule: 'chat-shared' });
    expect(decide({ principal: who(['developer']) })).toEqual({ allow: true, rule: 'chat-shared' });
    expect(decide({ principal: who(['developer']), action: 'inference:embeddings', model: model('text-embed', []) })).toEqual({ allow: true, rule: 'embeddings' });
    expect(decide({ principal: who(['analyst']), action: 'inference:embeddings', model: model('text-embed', []) }).rule).toBe('default-deny');
  });

  it('denies by default, without a model in the reason for endpoint actions', () => {
    expect(decide({ principal: who(['tester']), action: 'admin:keys', model: undefined, inference: undefined, path: '/admin/keys' })).toEqual({
      allow: false, rule: 'default-deny', reason: 'No rule of the policy allows "admin:keys".',
    });
    expect(decide({ principal: who(['key-admin']), action: 'admin:keys', model: undefined, inference: undefined })).toEqual({ allow: true, rule: 'manage-keys' });
    expect(decide({ principal: who(['unheard-of']) })).toMatchObject({ allow: false, rule: 'default-deny' });
    expect(decide({ principal: who([]) })).toMatchObject({ allow: false, rule: 'default-deny' });
  });

  it('applies forbid rules over any permission, except for exempt roles (inherited ones too)', () => {
    const staging = model('llama-staging', ['env:staging', 'shared']);
    expect(decide({ principal: who(['developer']), model: staging })).toEqual({ allow: false, rule: 'staging-is-qa-only', reason: 'Staging models are for QA.' });
    expect(decide({ principal: who(['qa']), model: staging })).toEqual({ allow: true, rule: 'chat-shared' });
  });

  it('applies a forbid rule only to its roles, inherited ones included', () => {
    const keys = { action: 'admin:keys', model: undefined, inference: undefined };
    expect(decide({ principal: who(['key-admin']), ...keys })).toEqual({ allow: true, rule: 'manage-keys' });
    expect(decide({ principal: who(['key-admin', 'analyst']), ...keys })).toMatchObject({ allow: false, rule: 'analysts-never-admin' });
    expect(decide({ principal: who(['key-admin', 'developer']), ...keys })).toMatchObject({ allow: false, rule: 'analysts-never-admin' });
  });

  it('asks for a fallback model instead of denying, where the rule says so', () => {
    const premium = model('gpt-premium-2', ['shared']);
    expect(decide({ principal: who(['developer']), model: premium })).toEqual({
      allow: false, rule: 'premium-is-for-managers', reason: 'Forbidden by rule "premium-is-for-managers".', obligations: [{ type: 'fallback-model', model: 'gpt-standard' }],
    });
    expect(decide({ principal: who(['manager']), model: premium })).toEqual({ allow: true, rule: 'chat-shared' });
  });

  it('partitions models by tenant with {tenant}, concealing other tenants’ models', () => {
    const acmeModel = model('ft-acme', ['customer:acme']);
    expect(decide({ principal: who(['analyst']), model: acmeModel })).toEqual({ allow: true, rule: 'chat-shared' });
    const globex: Tenant = { id: 'globex', status: 'active', tags: [] };
    expect(decide({ principal: who(['analyst']), tenant: globex, model: acmeModel })).toMatchObject({ allow: false, rule: 'other-tenants-models', conceal: true });
    expect(decide({ principal: who(['analyst']), tenant: undefined, model: acmeModel })).toMatchObject({ allow: false, rule: 'other-tenants-models' });
  });

  it('checks environments and tenants', () => {
    expect(decide({ principal: who(['tester'], { env: 'test' }) })).toEqual({ allow: true, rule: 'test-keys-only' });
    expect(decide({ principal: who(['tester'], { env: 'live' }) }).rule).toBe('default-deny');
    expect(decide({ principal: who(['tester']) }).rule).toBe('default-deny');
    expect(decide({ principal: who(['premium']), tenant: { ...acme, tier: 'enterprise' } })).toEqual({ allow: true, rule: 'enterprise-tier' });
    expect(decide({ principal: who(['premium']) }).rule).toBe('default-deny');
    expect(decide({ principal: who(['tenant-bound']) })).toEqual({ allow: true, rule: 'own-tenant-chat' });
    expect(decide({ principal: who(['tenant-bound']), tenant: undefined }).rule).toBe('default-deny');
  });

  it('names the constraint that failed, with the request field', () => {
    const limited = who(['limited']);
    expect(decide({ principal: limited })).toEqual({ allow: true, rule: 'limited-chat' });
    expect(decide({ principal: limited, inference: chat({ stream: true }) })).toEqual({ allow: false, rule: 'limited-chat', param: 'stream', reason: 'Streaming is not allowed by permission "limited-chat".' });
    expect(decide({ principal: limited, inference: chat({ toolCount: 2 }) })).toMatchObject({ param: 'tools' });
    expect(decide({ principal: limited, inference: chat({ n: 2 }) })).toMatchObject({ param: 'n', reason: 'n may be at most 1 under permission "limited-chat".' });
    expect(decide({ principal: limited, inference: chat({ maxTokens: 1001 }) })).toMatchObject({ param: 'max_tokens' });
    // Without max_tokens the model's own cap counts; unbounded is over any limit.
    expect(decide({ principal: limited, inference: chat({ maxTokens: undefined }) })).toMatchObject({ param: 'max_tokens' });
    expect(decide({ principal: limited, model: model('small', ['shared'], { maxOutputTokens: 800 }), inference: chat({ maxTokens: undefined }) })).toEqual({ allow: true, rule: 'limited-chat' });
    expect(decide({ principal: limited, model: model('any', [], { maxOutputTokens: undefined }), inference: chat({ maxTokens: undefined }) })).toMatchObject({ param: 'max_tokens' });
    // Another role's permission that covers the request wins over a failed constraint.
    expect(decide({ principal: who(['limited', 'analyst']), inference: chat({ stream: true }) })).toEqual({ allow: true, rule: 'chat-shared' });
  });

  it('never guesses when facts are missing: it lists them', () => {
    const noModel = authorizationRequest({ principal: who(['analyst']), tenant: acme, action: 'inference:chat', path: '/v1/chat/completions' });
    expect(noModel.missing).toEqual(['model', 'inference']);
    expect(decideRbac(policy, noModel)).toMatchObject({ allow: false, missing: ['model'] });
    const noTenantStep = (m: ModelInfo) => authorizationRequest({ principal: who(['analyst']), action: 'inference:chat', model: m, inference: chat(), missing: ['tenant'] });
    expect(decideRbac(policy, noTenantStep(model('ft-acme', ['customer:acme'])))).toMatchObject({ allow: false, missing: ['tenant'] });
    // A pattern without {tenant} settles it: shared models need no tenant.
    expect(decideRbac(policy, noTenantStep(shared))).toEqual({ allow: true, rule: 'chat-shared' });
    const limitedNoFacts = authorizationRequest({ principal: who(['limited']), tenant: acme, action: 'inference:chat', model: shared, missing: ['inference'] });
    expect(decideRbac(policy, limitedNoFacts)).toMatchObject({ allow: false, missing: ['inference'] });
  });

  it('still decides endpoint and tenant rules without model facts', () => {
    const simple = readRbacPolicyObject({ roles: { analyst: { permissions: ['run'] } }, permissions: { run: { actions: ['inference:*'], tenants: { tiers: ['pro'] } } } });
    const request = (tenant: Tenant, action = 'inference:chat') => authorizationRequest({ principal: who(['analyst']), tenant, action, path: '/v1/chat/completions' });
    expect(decideRbac(simple, request(acme))).toEqual({ allow: true, rule: 'run' });
    expect(decideRbac(simple, request({ ...acme, tier: 'free' }))).toMatchObject({ allow: false, rule: 'default-deny' });
    expect(decideRbac(simple, request(acme, 'admin:keys'))).toMatchObject({ allow: false, rule: 'default-deny' });
    expect(decideRbac(simple, request(acme)).missing).toBeUndefined();
  });

  it('traces every rule it considered, with the same decision', () => {
    const steps: Parameters<typeof decideRbac>[2] = [];
    const request = authorizationRequest({ principal: who(['developer']), tenant: acme, action: 'inference:chat', model: model('llama-staging', ['env:staging']), inference: chat() });
    expect(decideRbac(policy, request, steps)).toEqual(decideRbac(policy, request));
    expect(steps).toEqual([
      { rule: 'roles', effect: 'info', applies: true, why: 'caller roles: developer; with inherited: developer, analyst' },
      { rule: 'staging-is-qa-only', effect: 'forbid', applies: true, why: 'applies' },
    ]);
  });
});
