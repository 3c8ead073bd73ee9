// The RBAC decision: forbid rules first, then the permissions of the caller's roles; pure, with an optional trace.
import { isModelAction } from '../authorize/actions.js';
import type { AuthorizationRequest, ExplanationStep, PolicyDecision, PolicyFact } from '../authorize/policy-provider.js';
import {
  modelMatches,
  tenantMatches,
  type CompiledForbid,
  type CompiledPermission,
  type CompiledRbacPolicy,
  type Constraints,
  type ModelMatch,
  type RuleScope,
} from './compiled-rbac-policy.js';

/** Whether a rule applies: yes, no, or unknown because facts are missing. */
type Match = { readonly kind: 'yes' } | { readonly kind: 'no'; readonly why: string } | { readonly kind: 'unknown'; readonly missing: readonly PolicyFact[] };
const yes: Match = { kind: 'yes' };
const no = (why: string): Match => ({ kind: 'no', why });

/** A constraint an otherwise matching permission failed. */
interface Violation {
  readonly rule: string;
  readonly reason: string;
  readonly param: string;
}

function matchModel(match: ModelMatch, request: AuthorizationRequest, label: string): Match {
  if (!isModelAction(request.action)) return no(`${label}: "${request.action}" is not a model action`);
  if (request.resource.type !== 'model') return { kind: 'unknown', missing: match.usesTenant && request.missing.includes('tenant') ? ['model', 'tenant'] : ['model'] };
  const { model } = request.resource;
  if (match.usesTenant && request.missing.includes('tenant')) {
    // Patterns without {tenant} can still settle it; the others cannot be read without a tenant.
    return modelMatches(match, model.name, model.tags, undefined) ? yes : { kind: 'unknown', missing: ['tenant'] };
  }
  return modelMatches(match, model.name, model.tags, request.tenant?.id) ? yes : no(`${label}: model "${model.name}" does not match`);
}

/** Whether a rule's actions, environments, tenants and models cover the request. A certain "no" wins over "unknown". */
function matchScope(rule: RuleScope, request: AuthorizationRequest): Match {
  if (rule.actions !== undefined && !rule.actions.some((p) => p(request.action))) return no(`action "${request.action}" is not covered`);
  const env = request.context.environment;
  if (rule.environments !== undefined && (env === undefined || !rule.environments.some((p) => p(env)))) return no(`environment "${env ?? '(none)'}" is not covered`);
  const missing: PolicyFact[] = [];
  if (rule.tenants !== undefined) {
    if (request.missing.includes('tenant')) missing.push('tenant');
    else if (request.tenant === undefined || !tenantMatches(rule.tenants, request.tenant)) return no('the tenant is not covered');
  }
  if (rule.models !== undefined) {
    const models = matchModel(rule.models, request, 'models');
    if (models.kind === 'no') return models;
    if (models.kind === 'unknown') missing.push(...models.missing);
  }
  return missing.length > 0 ? { kind: 'unknown', missing } : yes;
}

function checkConstraints(rule: string, constraints: Constraints, request: AuthorizationRequest): Violation | 'unknown' | undefined {
  if (!isModelAction(request.action)) return undefined;
  const facts = request.context.inference;
  if (facts === undefined) return 'unknown';
  if (constraints.stream === false && facts.stream) return { rule, param: 'stream', reason: `Streaming is not allowed by permission "${rule}".` };
  if (constraints.tools === false && facts.tools > 0) return { rule, param: 'tools', reason: `Tools are not allowed by permission "${rule}".` };
  if (constraints.n !== undefined && facts.n > constraints.n) return { rule, param: 'n', reason: `n may be at most ${constraints.n} under permission "${rule}".` };
  const max = constraints.maxTokens;
  if (max !== undefined && !(facts.maxTokens !== undefined && facts.maxTokens <= max)) {
    return { rule, param: 'max_tokens', reason: `max_tokens must be set and at most ${max} under permission "${rule}".` };
  }
  return undefined;
}

function matchForbid(rule: CompiledForbid, request: AuthorizationRequest, roles: ReadonlySet<string>): Match {
  if (rule.roles !== undefined && ![...rule.roles].some((role) => roles.has(role))) return no('the caller has none of its roles');
  for (const role of rule.exceptRoles) if (roles.has(role)) return no(`the caller has exempt role "${role}"`);
  const scope = matchScope(rule, request);
  if (scope.kind === 'no' || rule.exceptModels === undefined) return scope;
  const exempt = matchModel(rule.exceptModels, request, 'exceptModels');
  if (exempt.kind === 'yes') return no('the model is exempt (exceptModels)');
  if (exempt.kind === 'unknown') return { kind: 'unknown', missing: [...(scope.kind === 'unknown' ? scope.missing : []), ...exempt.missing] };
  return scope;
}

function effectiveRoles(policy: CompiledRbacPolicy, roles: readonly string[]): Set<string> {
  const all = new Set<string>();
  for (const role of roles) for (const r of policy.rolesOf.get(role) ?? []) all.add(r);
  return all;
}

function grantedPermissions(policy: CompiledRbacPolicy, roles: readonly string[]): readonly CompiledPermission[] {
  if (roles.length === 1) return policy.permissionsOf.get(roles[0]!) ?? [];
  const seen = new Set<CompiledPermission>();
  for (const role of roles) for (const p of policy.permissionsOf.get(role) ?? []) seen.add(p);
  return [...seen];
}

const unique = (facts: readonly PolicyFact[]): PolicyFact[] => [...new Set(facts)].sort();

/**
 * Decides a request under a compiled policy. A forbid rule that applies denies (with its fallback or
 * concealment); otherwise the first permission of the caller's roles (inherited ones included) that
 * covers the request allows. A permission that covers the request but whose constraint fails denies
 * with that constraint named. Nothing else allows: `default-deny`. When the answer depends on a fact
 * that is missing (no validateRequest, no resolveTenant), the denial lists it in `missing`.
 * Pass `trace` to collect every rule considered (for explain); the decision is the same either way.
 *
 * @example
 * const decision = decideRbac(policy, authorizationRequest({ principal, action: 'admin:keys', path: '/admin/keys' }));
 * // { allow: false, rule: 'default-deny', reason: '…' }
 */
export function decideRbac(policy: CompiledRbacPolicy, request: AuthorizationRequest, trace?: ExplanationStep[]): PolicyDecision {
  const roles = effectiveRoles(policy, request.principal.roles);
  trace?.push({ rule: 'roles', effect: 'info', applies: true, why: `caller roles: ${request.principal.roles.join(', ') || '(none)'}; with inherited: ${[...roles].join(', ') || '(none)'}` });
  const missing: PolicyFact[] = [];
  let unknownForbid = false;
  for (const rule of policy.forbids) {
    const match = matchForbid(rule, request, roles);
    trace?.push({ rule: rule.id, effect: 'forbid', applies: match.kind === 'yes', why: match.kind === 'no' ? match.why : match.kind === 'yes' ? 'applies' : `unknown: needs ${match.missing.join(', ')}` });
    if (match.kind === 'unknown') {
      unknownForbid = true;
      missing.push(...match.missing);
    }
    if (match.kind !== 'yes') continue;
    return {
      allow: false,
      rule: rule.id,
      reason: rule.message ?? `Forbidden by rule "${rule.id}".`,
      ...(rule.conceal ? { conceal: true } : {}),
      ...(rule.fallback === undefined ? {} : { obligations: [{ type: 'fallback-model', model: rule.fallback }] }),
    };
  }
  let violation: Violation | undefined;
  let unknownPermission = false;
  for (const permission of grantedPermissions(policy, request.principal.roles)) {
    const scope = matchScope(permission, request);
    if (scope.kind === 'no') {
      trace?.push({ rule: permission.id, effect: 'permit', applies: false, why: scope.why });
      continue;
    }
    const constraint = scope.kind === 'yes' && permission.constraints !== undefined ? checkConstraints(permission.id, permission.constraints, request) : undefined;
    if (scope.kind === 'unknown' || constraint === 'unknown') {
      unknownPermission = true;
      const needs: readonly PolicyFact[] = scope.kind === 'unknown' ? scope.missing : ['inference'];
      missing.push(...needs);
      trace?.push({ rule: permission.id, effect: 'permit', applies: false, why: `unknown: needs ${unique(needs).join(', ')}` });
      continue;
    }
    if (constraint !== undefined) {
      violation ??= constraint;
      trace?.push({ rule: permission.id, effect: 'permit', applies: false, why: constraint.reason });
      continue;
    }
    trace?.push({ rule: permission.id, effect: 'permit', applies: true, why: 'covers the request' });
    if (unknownForbid) break;
    return { allow: true, rule: permission.id };
  }
  if (unknownForbid || unknownPermission) {
    return { allow: false, rule: 'default-deny', reason: 'The policy needs facts this server does not provide.', missing: unique(missing) };
  }
  if (violation !== undefined) return { allow: false, rule: violation.rule, reason: violation.reason, param: violation.param };
  const on = request.resource.type === 'model' ? ' on this model' : '';
  return { allow: false, rule: 'default-deny', reason: `No rule of the policy allows "${request.action}"${on}.` };
}
