// explain(): the decision, the rules considered and a text rendering, from parts or a full request.
import { describe, expect, it } from 'vitest';
import type { ModelInfo, Principal } from '../context/principal.js';
import { rbac } from '../rbac/rbac.js';
import { authorizationRequest } from './authorization-request.js';
import { explain } from './explain.js';
import type { PolicyProvider } from './policy-provider.js';

const policy = rbac({
  policy: {
    roles: { developer: { permissions: ['chat'] }, qa: { inherits: ['developer'] } },
    permissions: { chat: { actions: ['inference:chat'], constraints: { maxTokens: 1000 } } },
    forbid: { 'staging-is-qa-only': { models: { tags: ['env:staging'] }, exceptRoles: ['qa'] } },
  },
});
const dev: Principal = { subject: 'dana', kind: 'user', method: 'api_key', tenantId: 'acme', roles: ['developer'], scopes: [], claims: {} };
const staging: ModelInfo = { name: 'llama-staging', requested: 'llama-staging', tags: ['env:staging'] };
const inference = { api: 'chat', stream: false, maxTokens: 500, n: 1, toolCount: 0, messageCount: 1, promptTokens: 3 } as const;

describe('explain', () => {
  it('explains a denial by a forbid rule, step by step', async () => {
    const why = await explain(policy, { principal: dev, tenant: { id: 'acme', status: 'active', tags: [] }, action: 'inference:chat', model: staging, inference });
    expect(why.decision).toEqual({ allow: false, rule: 'staging-is-qa-only', reason: 'Forbidden by rule "staging-is-qa-only".' });
    expect(why.text).toBe(
      [
        'inference:chat by dana (user; roles: developer; scopes: none) for tenant acme (active) on model llama-staging (tags: env:staging); stream=false tools=0 max_tokens=500 n=1',
        '=> DENY by rule "staging-is-qa-only" (rbac): Forbidden by rule "staging-is-qa-only".',
        'rules considered:',
        '  - roles: caller roles: developer; with inherited: developer',
        '  + forbid staging-is-qa-only: applies',
      ].join('\n'),
    );
  });

  it('explains an allow and a constraint failure, and says when facts are missing', async () => {
    const qa = { ...dev, roles: ['qa'] };
    const allowed = await explain(policy, { principal: qa, action: 'inference:chat', model: staging, inference });
    expect(allowed.decision).toEqual({ allow: true, rule: 'chat' });
    expect(allowed.text).toContain('  + permit chat: covers the request');
    expect(allowed.text).toContain('    forbid staging-is-qa-only: the caller has exempt role "qa"');
    const tooLong = await explain(policy, { principal: qa, action: 'inference:chat', model: staging, inference: { ...inference, maxTokens: 5000 } });
    expect(tooLong.text).toContain('=> DENY by rule "chat" (rbac): max_tokens must be set and at most 1000 under permission "chat".');
    const blind = await explain(policy, authorizationRequest({ principal: dev, action: 'inference:chat', path: '/v1/chat/completions' }));
    expect(blind.text).toContain('cannot be decided without: inference, model (a step is missing from the chain)');
    expect(blind.text).toContain('    permit chat: unknown: needs inference');
  });

  it('falls back to the decision alone for providers that cannot explain', async () => {
    const plain: PolicyProvider = { name: 'custom', decide: () => ({ allow: false, rule: 'closed-on-sundays' }) };
    const why = await explain(plain, { principal: dev, action: 'admin:keys', path: '/admin/keys' });
    expect(why.steps).toEqual([]);
    expect(why.text).toBe('admin:keys by dana (user; roles: developer; scopes: none) for no tenant on POST /admin/keys\n=> DENY by rule "closed-on-sundays" (custom)');
  });
});
