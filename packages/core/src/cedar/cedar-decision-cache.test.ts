// The Cedar evaluation cache: a cached decision is the decision a fresh evaluation gives; bounded, expiring, keyed by all input.
import { describe, expect, it } from 'vitest';
import { authorizationRequest, type AuthorizationRequestParts } from '../authorize/authorization-request.js';
import type { AuthorizationRequest } from '../authorize/policy-provider.js';
import type { InferenceInfo, ModelInfo, Principal, Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { cedar } from './cedar.js';
import { CedarDecisionCache } from './cedar-decision-cache.js';
import { tollgateCedarSchema } from './tollgate-cedar-schema.js';

const policies = `
@id("chat")
permit (principal, action == Tollgate::Action::"inference:chat", resource is Tollgate::Model) when { resource.tags.contains("shared") };
@id("keys")
permit (principal in Tollgate::Role::"key-admin", action == Tollgate::Action::"admin:keys", resource);
@id("own-models")
permit (principal, action, resource is Tollgate::Model) when { resource.hasTag("customer") && principal has tenant && resource.getTag("customer").contains(principal.tenant.id) };
@id("staging") @message("Staging models are for QA.")
forbid (principal, action, resource is Tollgate::Model) when { resource.tags.contains("env:staging") } unless { principal in Tollgate::Role::"qa" };
@id("premium") @fallback("gpt-standard")
forbid (principal, action, resource is Tollgate::Model) when { resource.name == "gpt-premium" } unless { principal in Tollgate::Role::"manager" };
@id("others") @conceal
forbid (principal, action, resource is Tollgate::Model) when { resource.hasTag("customer") } unless { principal has tenant && resource.getTag("customer").contains(principal.tenant.id) };
@id("no-stream") @requiredScope("stream")
forbid (principal, action, resource) when { context has stream && context.stream && !principal.scopes.contains("stream") };
`;

const who = (roles: string[], scopes: string[] = ['stream'], subject = 'u1'): Principal => ({ subject, kind: 'user', method: 'api_key', tenantId: 'acme', roles, scopes, claims: {} });
const acme: Tenant = { id: 'acme', status: 'active', tier: 'pro', tags: [] };
const globex: Tenant = { id: 'globex', status: 'active', tags: [] };
const model = (name: string, tags: string[]): ModelInfo => ({ name, requested: name, tags });
const inference: InferenceInfo = { api: 'chat', stream: false, maxTokens: 100, n: 1, toolCount: 0, messageCount: 1, promptTokens: 3 };
const ask = (parts: Partial<AuthorizationRequestParts> & { principal: Principal }): AuthorizationRequest =>
  authorizationRequest({ tenant: acme, action: 'inference:chat', model: model('gpt-standard', ['shared']), inference, missing: [], ...parts });

// Questions that differ in one input each: a cache keyed by less than all of it would answer one with another's decision.
const questions: readonly AuthorizationRequest[] = [
  ask({ principal: who(['analyst']) }),
  ask({ principal: who(['analyst'], []), inference: { ...inference, stream: true } }),
  ask({ principal: who(['analyst'], ['stream']), inference: { ...inference, stream: true } }),
  ask({ principal: who(['developer']), model: model('llama', ['shared', 'env:staging']) }),
  ask({ principal: who(['qa']), model: model('llama', ['shared', 'env:staging']) }),
  ask({ principal: who(['developer']), model: model('gpt-premium', ['shared']) }),
  ask({ principal: who(['manager']), model: model('gpt-premium', ['shared']) }),
  ask({ principal: who(['analyst']), model: model('ft-acme', ['customer:acme']) }),
  ask({ principal: who(['analyst']), tenant: globex, model: model('ft-acme', ['customer:acme']) }),
  ask({ principal: who(['analyst']), tenant: undefined, model: model('ft-acme', ['customer:acme']), missing: ['tenant'] }),
  authorizationRequest({ principal: who(['analyst']), tenant: acme, action: 'inference:chat', path: '/v1/chat/completions' }),
  authorizationRequest({ principal: who(['key-admin']), action: 'admin:keys', path: '/admin/keys', missing: ['tenant'] }),
  authorizationRequest({ principal: who(['analyst']), action: 'admin:keys', path: '/admin/keys', missing: ['tenant'] }),
];

describe('cedar decision cache', async () => {
  const cached = await cedar({ policies, schema: tollgateCedarSchema() });
  const fresh = await cedar({ policies, schema: tollgateCedarSchema(), cache: false });

  it('gives exactly the decision a fresh evaluation gives, on the first ask and on every hit', () => {
    const expected = questions.map((q) => fresh.decide(q));
    expect(new Set(expected.map((d) => JSON.stringify(d))).size).toBeGreaterThan(8);
    for (let round = 0; round < 3; round++) {
      // Interleaved, so each hit follows other questions' entries.
      questions.forEach((q, i) => expect(cached.decide(q)).toEqual(expected[i]));
    }
    expect(cached.cache?.size).toBe(questions.length);
    expect(fresh.cache).toBeUndefined();
  });

  it('explains from the same evaluation', async () => {
    const q = questions[3]!;
    const [hit, miss] = await Promise.all([cached.explain!(q), fresh.explain!(q)]);
    expect(hit).toEqual(miss);
  });

  it('keeps at most maxEntries, dropping the least recently used, and forgets entries after ttlMs', async () => {
    let now = 0;
    const small = await cedar({ policies, cache: { maxEntries: 2, ttlMs: 1_000 }, now: () => now });
    const [a, b, c] = [questions[0]!, questions[3]!, questions[5]!];
    small.decide(a);
    small.decide(b);
    small.decide(a); // a is now the most recent
    small.decide(c); // evicts b
    expect(small.cache?.size).toBe(2);
    const probe = new CedarDecisionCache({ maxEntries: 2, ttlMs: 1_000, now: () => now });
    probe.set('a', { decision: 'allow', determining: ['chat'] });
    probe.set('b', { decision: 'deny', determining: [] });
    probe.get('a');
    probe.set('c', { decision: 'deny', determining: [] });
    expect([probe.get('a')?.decision, probe.get('b'), probe.get('c')?.decision]).toEqual(['allow', undefined, 'deny']);
    now = 1_000;
    expect(probe.get('a')).toBeUndefined();
    expect(small.decide(a)).toEqual(fresh.decide(a));
  });

  it('refuses cache options it cannot use', async () => {
    await expect(cedar({ policies, cache: { maxEntries: 0 } })).rejects.toThrow(ConfigError);
    await expect(cedar({ policies, cache: 'yes' as unknown as false })).rejects.toThrow('cedar: cache must be false or { maxEntries, ttlMs }');
  });
});
