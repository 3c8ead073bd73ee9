// The compiled form of an RBAC policy: patterns compiled, role inheritance closed, ready for per-request matching.
import type { Tenant } from '../context/principal.js';
import { namePattern, type NamePattern } from '../authorize/name-pattern.js';

/** A name pattern that may contain `{tenant}`, compiled once per tenant id seen. */
export class TenantPattern {
  readonly usesTenant: boolean;
  readonly #fixed: NamePattern | undefined;
  readonly #byTenant = new Map<string, NamePattern>();

  constructor(readonly source: string) {
    this.usesTenant = source.includes('{tenant}');
    this.#fixed = this.usesTenant ? undefined : namePattern(source);
  }

  /** Whether the name matches; a `{tenant}` pattern never matches when there is no tenant. */
  matches(name: string, tenantId: string | undefined): boolean {
    if (this.#fixed !== undefined) return this.#fixed(name);
    if (tenantId === undefined) return false;
    let compiled = this.#byTenant.get(tenantId);
    if (compiled === undefined) {
      if (this.#byTenant.size >= 10_000) this.#byTenant.clear();
      compiled = namePattern(this.source.replaceAll('{tenant}', tenantId));
      this.#byTenant.set(tenantId, compiled);
    }
    return compiled(name);
  }
}

/** Models by name or tag. */
export interface ModelMatch {
  readonly names: readonly TenantPattern[];
  readonly tags: readonly TenantPattern[];
  readonly usesTenant: boolean;
}

/** Tenants by id, tier or tag. */
export interface TenantMatch {
  readonly ids: readonly NamePattern[];
  readonly tiers: readonly NamePattern[];
  readonly tags: readonly NamePattern[];
}

/** What an allowed inference request may ask for. */
export interface Constraints {
  readonly stream?: boolean;
  readonly tools?: boolean;
  readonly maxTokens?: number;
  readonly n?: number;
}

/** Conditions shared by permissions and forbid rules. */
export interface RuleScope {
  readonly id: string;
  /** Undefined: every action. */
  readonly actions: readonly NamePattern[] | undefined;
  readonly models: ModelMatch | undefined;
  readonly environments: readonly NamePattern[] | undefined;
  readonly tenants: TenantMatch | undefined;
}

export interface CompiledPermission extends RuleScope {
  readonly constraints: Constraints | undefined;
}

export interface CompiledForbid extends RuleScope {
  /** Undefined: every caller. */
  readonly roles: ReadonlySet<string> | undefined;
  readonly exceptRoles: ReadonlySet<string>;
  readonly exceptModels: ModelMatch | undefined;
  readonly message: string | undefined;
  readonly conceal: boolean;
  readonly fallback: string | undefined;
}

/** A policy ready for decisions. */
export interface CompiledRbacPolicy {
  /** Each role's permissions, its own and inherited ones, in policy order. */
  readonly permissionsOf: ReadonlyMap<string, readonly CompiledPermission[]>;
  /** Each role with every role it inherits, itself included. */
  readonly rolesOf: ReadonlyMap<string, ReadonlySet<string>>;
  readonly forbids: readonly CompiledForbid[];
  /** Whether any forbid rule routes to a fallback model. */
  readonly hasFallbacks: boolean;
}

/** Whether a model's name or one of its tags matches. */
export function modelMatches(match: ModelMatch, name: string, tags: readonly string[], tenantId: string | undefined): boolean {
  for (const pattern of match.names) if (pattern.matches(name, tenantId)) return true;
  for (const pattern of match.tags) for (const tag of tags) if (pattern.matches(tag, tenantId)) return true;
  return false;
}

/** Whether a tenant's id, tier or one of its tags matches. */
export function tenantMatches(match: TenantMatch, tenant: Tenant): boolean {
  if (match.ids.some((p) => p(tenant.id))) return true;
  if (tenant.tier !== undefined && match.tiers.some((p) => p(tenant.tier!))) return true;
  return match.tags.some((p) => tenant.tags.some((tag) => p(tag)));
}
