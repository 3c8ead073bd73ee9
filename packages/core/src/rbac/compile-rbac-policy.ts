// Checks an RBAC policy's cross-references (roles, permissions, actions, cycles) and compiles it for matching.
import { builtInActions, isActionName } from '../authorize/actions.js';
import { namePattern, type NamePattern } from '../authorize/name-pattern.js';
import type { ConfigPath } from '../config/config-path.js';
import type { FieldProblem } from '../config/config-problems.js';
import {
  TenantPattern,
  type CompiledForbid,
  type CompiledPermission,
  type CompiledRbacPolicy,
  type ModelMatch,
  type RuleScope,
  type TenantMatch,
} from './compiled-rbac-policy.js';
import type { RbacForbid, RbacModelMatch, RbacPermission, RbacPolicyDocument, RbacTenantMatch } from './rbac-policy-schema.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const placeholder = /\{([^}]*)\}/g;

/** The result of {@link compileRbacPolicy}: the policy, or every problem found with its path. */
export type CompileResult = { readonly ok: true; readonly policy: CompiledRbacPolicy } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Compiles a schema-valid policy document. Reports, each at its own path: ids that are not plain names,
 * inherited roles and granted permissions that do not exist, inheritance cycles, action patterns that
 * name no known action, exempt roles that do not exist, unknown `{placeholders}`, and forbid rules that
 * do not say what they forbid.
 *
 * @example
 * const result = compileRbacPolicy(rbacPolicySchema.parse(document));
 * if (!result.ok) console.error(result.problems);
 */
export function compileRbacPolicy(document: RbacPolicyDocument): CompileResult {
  const problems: FieldProblem[] = [];
  const report = (path: ConfigPath, message: string, part: 'key' | 'value' = 'value') => void problems.push({ path, message, part });
  const roles = document.roles;
  const permissions = document.permissions ?? {};
  const forbids = document.forbid ?? {};

  (document.actions ?? []).forEach((action, i) => {
    if (!isActionName(action)) report(['actions', i], 'must be an action name: segments of letters, digits, "_", "." or "-" joined by ":"');
  });
  const knownActions = [...builtInActions, ...(document.actions ?? [])];
  for (const [section, ids] of [['roles', Object.keys(roles)], ['permissions', Object.keys(permissions)], ['forbid', Object.keys(forbids)]] as const) {
    for (const id of ids) if (!idPattern.test(id)) report([section, id], 'ids must be 1-128 letters, digits, "_", ".", ":" or "-"', 'key');
  }

  const compilePatterns = (list: readonly string[] | undefined, path: ConfigPath, allowTenant: boolean): TenantPattern[] =>
    (list ?? []).map((source, i) => {
      for (const [, name] of source.matchAll(placeholder)) {
        if (name !== 'tenant' || !allowTenant) report([...path, i], `unknown placeholder {${name}}${allowTenant ? '; only {tenant} is defined' : ''}`);
      }
      return new TenantPattern(source);
    });
  const plain = (list: readonly string[] | undefined): NamePattern[] | undefined => list?.map(namePattern);
  const models = (match: RbacModelMatch | undefined, path: ConfigPath): ModelMatch | undefined => {
    if (match === undefined) return undefined;
    const names = compilePatterns(match.names, [...path, 'names'], true);
    const tags = compilePatterns(match.tags, [...path, 'tags'], true);
    return { names, tags, usesTenant: [...names, ...tags].some((p) => p.usesTenant) };
  };
  const tenants = (match: RbacTenantMatch | undefined): TenantMatch | undefined =>
    match === undefined ? undefined : { ids: plain(match.ids) ?? [], tiers: plain(match.tiers) ?? [], tags: plain(match.tags) ?? [] };
  const actions = (list: readonly string[] | undefined, path: ConfigPath): NamePattern[] | undefined =>
    list?.map((source, i) => {
      const compiled = namePattern(source);
      if (!knownActions.some(compiled)) report([...path, i], `names no known action; known: ${knownActions.join(', ')} (declare others under "actions")`);
      return compiled;
    });
  const scope = (id: string, rule: RbacPermission | RbacForbid, path: ConfigPath): RuleScope => ({
    id,
    actions: actions(rule.actions, [...path, 'actions']),
    models: models(rule.models, [...path, 'models']),
    environments: plain(rule.environments),
    tenants: tenants(rule.tenants),
  });

  const compiledPermissions = new Map<string, CompiledPermission>();
  for (const [id, permission] of Object.entries(permissions)) {
    compiledPermissions.set(id, { ...scope(id, permission, ['permissions', id]), constraints: permission.constraints });
  }

  const compiledForbids: CompiledForbid[] = Object.entries(forbids).map(([id, rule]) => {
    const path = ['forbid', id];
    if (rule.actions === undefined && rule.models === undefined && rule.environments === undefined && rule.tenants === undefined) {
      report(path, 'must say what it forbids: actions, models, environments or tenants');
    }
    (rule.roles ?? []).forEach((role, i) => {
      if (!(role in roles)) report([...path, 'roles', i], `role "${role}" is not defined under roles`);
    });
    if (rule.conceal === true && rule.fallback !== undefined) report([...path, 'fallback'], 'a rule cannot both conceal the model and route to a fallback');
    (rule.exceptRoles ?? []).forEach((role, i) => {
      if (!(role in roles)) report([...path, 'exceptRoles', i], `role "${role}" is not defined under roles`);
    });
    return {
      ...scope(id, rule, path),
      roles: rule.roles === undefined ? undefined : new Set(rule.roles),
      exceptRoles: new Set(rule.exceptRoles ?? []),
      exceptModels: models(rule.exceptModels, [...path, 'exceptModels']),
      message: rule.message,
      conceal: rule.conceal ?? false,
      fallback: rule.fallback,
    };
  });

  for (const [role, definition] of Object.entries(roles)) {
    (definition.inherits ?? []).forEach((parent, i) => {
      if (!(parent in roles)) report(['roles', role, 'inherits', i], `role "${parent}" is not defined under roles`);
    });
    (definition.permissions ?? []).forEach((permission, i) => {
      if (!compiledPermissions.has(permission)) report(['roles', role, 'permissions', i], `permission "${permission}" is not defined under permissions`);
    });
  }
  const rolesOf = closeInheritance(document, report);
  if (problems.length > 0) return { ok: false, problems };

  const order = [...compiledPermissions.keys()];
  const permissionsOf = new Map<string, CompiledPermission[]>();
  for (const [role, all] of rolesOf) {
    const granted = new Set([...all].flatMap((r) => roles[r]?.permissions ?? []));
    permissionsOf.set(role, order.filter((id) => granted.has(id)).map((id) => compiledPermissions.get(id)!));
  }
  return { ok: true, policy: { permissionsOf, rolesOf, forbids: compiledForbids, hasFallbacks: compiledForbids.some((f) => f.fallback !== undefined) } };
}

/** Each role with every role it inherits (itself included); reports each cycle once, at the edge that closes it. */
function closeInheritance(document: RbacPolicyDocument, report: (path: ConfigPath, message: string) => void): Map<string, Set<string>> {
  const { roles } = document;
  const closed = new Map<string, Set<string>>();
  const reported = new Set<string>();
  const visit = (role: string, trail: string[]): Set<string> => {
    const done = closed.get(role);
    if (done !== undefined) return done;
    const all = new Set([role]);
    (roles[role]?.inherits ?? []).forEach((parent, i) => {
      if (!(parent in roles)) return;
      const at = parent === role ? -1 : trail.indexOf(parent);
      if (at >= 0 || parent === role) {
        const cycle = parent === role ? [role, role] : [...trail.slice(at), role, parent];
        const key = [...new Set(cycle)].sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          report(['roles', role, 'inherits', i], `role inheritance cycle: ${cycle.join(' -> ')}`);
        }
        return;
      }
      for (const r of visit(parent, [...trail, role])) all.add(r);
    });
    closed.set(role, all);
    return all;
  };
  for (const role of Object.keys(roles)) visit(role, []);
  return closed;
}
