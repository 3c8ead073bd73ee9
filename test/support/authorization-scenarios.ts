// The policies of the four authorization scenarios, written once for RBAC and once for Cedar with the same rule ids.
import type { ModelInfo, RbacPolicy } from '@tollgate/core';

/** The model registry of the scenarios: an expensive and a cheap shared model, tenant A's own model, a staging model. */
export const scenarioModels: Readonly<Record<string, ModelInfo>> = {
  'gpt-premium': { name: 'gpt-premium', requested: 'gpt-premium', tags: ['shared'], maxOutputTokens: 4096, price: { inputPerMTok: 30, outputPerMTok: 60 } },
  'gpt-standard': { name: 'gpt-standard', requested: 'gpt-standard', tags: ['shared'], maxOutputTokens: 4096, price: { inputPerMTok: 0.5, outputPerMTok: 1.5 } },
  'ft-tenant-a': { name: 'ft-tenant-a', requested: 'ft-tenant-a', tags: ['customer:tenantA'], maxOutputTokens: 4096, price: { inputPerMTok: 3, outputPerMTok: 6 } },
  'llama-staging': { name: 'llama-staging', requested: 'llama-staging', tags: ['env:staging', 'shared'], maxOutputTokens: 2048, price: { inputPerMTok: 0.1, outputPerMTok: 0.1 } },
};

/** The scenarios as an RBAC policy; `routeExpensive` routes non-managers to the cheap model instead of denying. */
export function scenarioRbacPolicy(routeExpensive: boolean): RbacPolicy {
  return {
    roles: {
      analyst: { permissions: ['inference'] },
      developer: { permissions: ['inference'] },
      external: { permissions: ['inference'] },
      qa: { inherits: ['developer'] },
      manager: { inherits: ['developer'] },
      'key-admin': { permissions: ['manage-keys'] },
    },
    permissions: {
      inference: { actions: ['inference:*'], models: { tags: ['shared', 'customer:{tenant}'] } },
      'manage-keys': { actions: ['admin:*'] },
    },
    forbid: {
      'expensive-model-is-for-managers': { models: { names: ['gpt-premium'] }, exceptRoles: ['manager'], ...(routeExpensive ? { fallback: 'gpt-standard' } : {}) },
      'other-tenants-models': { models: { tags: ['customer:*'] }, exceptModels: { tags: ['customer:{tenant}'] }, conceal: true },
      'staging-is-for-qa': { models: { tags: ['env:staging'] }, exceptRoles: ['qa'], message: 'Only QA may use staging models.' },
      'analysts-never-admin': { roles: ['analyst'], actions: ['admin:*'] },
    },
  };
}

const inferenceActions = ['chat', 'completions', 'embeddings', 'responses', 'messages'].map((a) => `Tollgate::Action::"inference:${a}"`).join(', ');
const adminActions = ['keys', 'tenants', 'policies', 'usage'].map((a) => `Tollgate::Action::"admin:${a}"`).join(', ');
const anyRole = (roles: string[]) => roles.map((r) => `principal in Tollgate::Role::"${r}"`).join(' || ');

/** The same scenarios in Cedar (Cedar has no role inheritance: qa and manager are listed with developer). */
export function scenarioCedarPolicies(routeExpensive: boolean): string {
  return `
@id("inference")
permit (principal, action in [${inferenceActions}], resource is Tollgate::Model)
when {
  (${anyRole(['analyst', 'developer', 'external', 'qa', 'manager'])}) &&
  (resource.tags.contains("shared") ||
   (resource.hasTag("customer") && principal has tenant && resource.getTag("customer").contains(principal.tenant.id)))
};

@id("manage-keys")
permit (principal in Tollgate::Role::"key-admin", action in [${adminActions}], resource);

@id("expensive-model-is-for-managers")${routeExpensive ? '\n@fallback("gpt-standard")' : ''}
forbid (principal, action, resource is Tollgate::Model)
when { resource.name == "gpt-premium" } unless { principal in Tollgate::Role::"manager" };

@id("other-tenants-models") @conceal
forbid (principal, action, resource is Tollgate::Model)
when { resource.hasTag("customer") }
unless { principal has tenant && resource.getTag("customer").contains(principal.tenant.id) };

@id("staging-is-for-qa") @message("Only QA may use staging models.")
forbid (principal, action, resource is Tollgate::Model)
when { resource.tags.contains("env:staging") } unless { principal in Tollgate::Role::"qa" };

@id("analysts-never-admin")
forbid (principal in Tollgate::Role::"analyst", action in [${adminActions}], resource);
`;
}
