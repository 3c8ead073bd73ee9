// The Cedar provider: decisions and annotations, schema validation at startup, missing facts, failing closed, lazy loading.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizationRequest, type AuthorizationRequestParts } from '../authorize/authorization-request.js';
import type { InferenceInfo, ModelInfo, Principal, Tenant } from '../context/principal.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { loadCedarEngine } from './cedar-engine.js';
import { cedar } from './cedar.js';
import { tollgateCedarSchema } from './tollgate-cedar-schema.js';

const policies = `
@id("chat")
permit (principal, action in [Tollgate::Action::"inference:chat", Tollgate::Action::"inference:embeddings"], resource is Tollgate::Model)
when { resource.tags.contains("shared") };

@id("keys")
permit (principal in Tollgate::Role::"key-admin", action == Tollgate::Action::"admin:keys", resource);

@id("staging-is-qa-only") @message("Staging models are for QA.")
forbid (principal, action, resource is Tollgate::Model)
when { resource.tags.contains("env:staging") } unless { principal in Tollgate::Role::"qa" };

@id("premium-is-for-managers") @fallback("gpt-standard")
forbid (principal, action, resource is Tollgate::Model)
when { resource.name == "gpt-premium" } unless { principal in Tollgate::Role::"manager" };

@id("other-tenants-models") @conceal
forbid (principal, action, resource is Tollgate::Model)
when { resource.hasTag("customer") }
unless { principal has tenant && resource.getTag("customer").contains(principal.tenant.id) };

@id("no-streaming-for-trials") @requiredScope("stream")
forbid (principal, action, resource)
when { context has stream && context.stream && !principal.scopes.contains("stream") };
`;

const who = (roles: string[], scopes: string[] = ['stream']): Principal => ({ subject: 'u1', kind: 'user', method: 'api_key', tenantId: 'acme', roles, scopes, claims: {} });
const acme: Tenant = { id: 'acme', status: 'active', tier: 'pro', tags: [] };
const model = (name: string, tags: string[]): ModelInfo => ({ name, requested: name, tags });
const inference: InferenceInfo = { api: 'chat', stream: false, maxTokens: 100, n: 1, toolCount: 0, messageCount: 1, promptTokens: 3 };
const request = (parts: Partial<AuthorizationRequestParts> & { principal: Principal }) =>
  authorizationRequest({ tenant: acme, action: 'inference:chat', model: model('gpt-standard', ['shared']), inference, missing: [], ...parts });

describe('cedar', async () => {
  const provider = await cedar({ policies, schema: tollgateCedarSchema() });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cedar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('allows and denies with the rule that decided, reading the annotations', () => {
    expect(provider.decide(request({ principal: who(['analyst']) }))).toEqual({ allow: true, rule: 'chat' });
    expect(provider.decide(request({ principal: who(['analyst']), action: 'admin:keys', model: undefined, inference: undefined, path: '/admin/keys' }))).toEqual({
      allow: false, rule: 'default-deny', reason: 'No rule of the policy allows "admin:keys".',
    });
    expect(provider.decide(request({ principal: who(['key-admin']), action: 'admin:keys', model: undefined, inference: undefined }))).toEqual({ allow: true, rule: 'keys' });
    const staging = model('llama-staging', ['shared', 'env:staging']);
    expect(provider.decide(request({ principal: who(['developer']), model: staging }))).toEqual({ allow: false, rule: 'staging-is-qa-only', reason: 'Staging models are for QA.' });
    expect(provider.decide(request({ principal: who(['qa']), model: staging }))).toEqual({ allow: true, rule: 'chat' });
    expect(provider.decide(request({ principal: who(['developer']), model: model('gpt-premium', ['shared']) }))).toMatchObject({
      allow: false, rule: 'premium-is-for-managers', obligations: [{ type: 'fallback-model', model: 'gpt-standard' }],
    });
    expect(provider.mayRouteModels).toBe(true);
  });

  const ownModels = '@id("own-models") permit (principal, action, resource is Tollgate::Model) when { resource.hasTag("customer") && principal has tenant && resource.getTag("customer").contains(principal.tenant.id) };';
  const withOwn = await cedar({ policies: `${policies}\n${ownModels}` });
  const acmeModel = model('ft-acme', ['customer:acme']);

  it('partitions models by tenant through entity tags, and conceals the others', () => {
    expect(withOwn.decide(request({ principal: who(['analyst']), model: acmeModel }))).toEqual({ allow: true, rule: 'own-models' });
    expect(withOwn.decide(request({ principal: who(['analyst']), tenant: { id: 'globex', status: 'active', tags: [] }, model: acmeModel }))).toMatchObject({ allow: false, rule: 'other-tenants-models', conceal: true });
  });

  it('reports a required scope', () => {
    expect(provider.decide(request({ principal: who(['analyst'], []), inference: { ...inference, stream: true } }))).toMatchObject({ allow: false, rule: 'no-streaming-for-trials', requiredScope: 'stream' });
  });

  it('never guesses when facts are missing, but decides what does not depend on them', () => {
    const noModel = authorizationRequest({ principal: who(['analyst']), tenant: acme, action: 'inference:chat', path: '/v1/chat/completions' });
    expect(provider.decide(noModel)).toMatchObject({ allow: false, rule: 'default-deny', missing: expect.arrayContaining(['model']) });
    const keysNoTenant = authorizationRequest({ principal: who(['key-admin']), action: 'admin:keys', path: '/admin/keys', missing: ['tenant'] });
    expect(provider.decide(keysNoTenant)).toEqual({ allow: true, rule: 'keys' });
    const modelNoTenant = request({ principal: who(['analyst']), tenant: undefined, model: acmeModel, missing: ['tenant'] });
    expect(withOwn.decide(modelNoTenant)).toMatchObject({ allow: false, missing: ['tenant'] });
    // Without a permit that could apply, the denial does not depend on the tenant.
    expect(provider.decide(modelNoTenant)).toEqual({ allow: false, rule: 'default-deny', reason: 'No rule of the policy allows "inference:chat" on this model.' });
  });

  it('fails closed when a policy errors at evaluation (Cedar would skip it)', async () => {
    const fragile = await cedar({ policies: 'permit (principal, action, resource);\n@id("by-provider") forbid (principal, action, resource is Tollgate::Model) when { resource.provider == "x" };' });
    expect(() => fragile.decide(request({ principal: who([]) }))).toThrow(TollgateError);
    try {
      fragile.decide(request({ principal: who([]) }));
    } catch (error) {
      expect((error as TollgateError).code).toBe('TG_INTERNAL');
      expect(String((error as TollgateError & { cause: Error }).cause)).toContain('by-provider');
    }
  });

  it('refuses bad policies at startup with their place', async () => {
    await expect(cedar({ policies: 'permit (principal, action, resource)\nwhen { resource.x == };' })).rejects.toThrow(/cedar\(\{ policies \}\):2:22 unexpected token `}`/);
    const typo = '@id("typo")\npermit (principal, action, resource is Tollgate::Model)\nwhen { resource.tag.contains("shared") };';
    await expect(cedar({ policies: typo, schema: tollgateCedarSchema() })).rejects.toThrow(/do not match the schema:\n {2}cedar\(\{ policies \}\):3:8 typo: for policy `policy0`, attribute `tag` on entity type `Tollgate::Model` not found/);
    await expect(cedar({ policies: '@id("a") permit (principal, action, resource);\n@id("a") forbid (principal, action, resource);' })).rejects.toThrow('two policies have the id "a"');
    await expect(cedar({ policies: 'permit (principal == ?principal, action, resource);' })).rejects.toThrow('templates are not supported');
    await expect(cedar({ policies: '// nothing\n' })).rejects.toThrow('there are no policies');
    await expect(cedar({ policies: 'permit (principal, action, resource);', schema: 'namespace X { entity }' })).rejects.toThrow('Invalid Cedar schema');
    await expect(cedar({})).rejects.toThrow(ConfigError);
  });

  it('reads policies and schema from files', async () => {
    const policiesFile = join(dir, 'policies.cedar');
    const schemaFile = join(dir, 'tollgate.cedarschema');
    writeFileSync(policiesFile, policies);
    writeFileSync(schemaFile, tollgateCedarSchema());
    const fromFiles = await cedar({ policiesFile, schemaFile });
    expect(fromFiles.decide(request({ principal: who(['analyst']) }))).toEqual({ allow: true, rule: 'chat' });
    writeFileSync(policiesFile, 'permit (principal, action, resource)\nwhen { resource.x == };');
    await expect(cedar({ policiesFile })).rejects.toThrow(`${policiesFile}:2:22 unexpected token`);
    await expect(cedar({ policiesFile: join(dir, 'absent.cedar') })).rejects.toThrow('cannot read policies file');
  });

  it('explains which policy decided', async () => {
    const why = await provider.explain!(request({ principal: who(['developer']), model: model('llama', ['shared', 'env:staging']) }));
    expect(why.decision.rule).toBe('staging-is-qa-only');
    expect(why.steps.filter((s) => s.applies).map((s) => s.rule)).toEqual(['staging-is-qa-only']);
    expect(why.steps).toHaveLength(6);
  });

  it('says how to install the engine when it is missing', async () => {
    await expect(loadCedarEngine('@cedar-policy/not-installed-here')).rejects.toThrow('npm install @cedar-policy/cedar-wasm');
    await expect(cedar({ policies: 'permit (principal, action, resource);' }, () => loadCedarEngine('@cedar-policy/not-installed-here'))).rejects.toThrow(ConfigError);
    expect((await loadCedarEngine()).getCedarVersion()).toMatch(/^4\./);
  });
});
