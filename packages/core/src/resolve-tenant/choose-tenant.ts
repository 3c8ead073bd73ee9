// Which tenant a request acts for: the credential's own, or one a multi-tenant principal names in the header.
import type { Principal } from '../context/principal.js';
import type { ErrorCode } from '../errors/codes.js';
import { isTenantId } from '../tenant-store/tenant-record-schema.js';

/** Who may act for tenants other than their own (checked options of resolveTenant). */
export interface MultiTenantRule {
  /** Any of these roles lets a principal act for any tenant. */
  readonly roles: ReadonlySet<string>;
  /** Any of these scopes lets a principal act for any tenant. */
  readonly scopes: ReadonlySet<string>;
  /** A claim listing the tenant ids a principal may act for, if any. */
  readonly claim: string | undefined;
}

/** The outcome of {@link chooseTenant}: a tenant id and where it came from, none, or a refusal. */
export type TenantChoice =
  | { readonly kind: 'tenant'; readonly tenantId: string; readonly source: 'principal' | 'header' }
  | { readonly kind: 'none' }
  | { readonly kind: 'refuse'; readonly code: ErrorCode };

/**
 * Whether a principal may act for a tenant other than its own: by role, by scope, or because the
 * configured claim lists it.
 *
 * @example
 * mayActFor(principal, 'globex', { roles: new Set(['support']), scopes: new Set(), claim: 'tenants' })
 */
export function mayActFor(principal: Principal, tenantId: string, rule: MultiTenantRule): boolean {
  if (principal.roles.some((role) => rule.roles.has(role))) return true;
  if (principal.scopes.some((scope) => rule.scopes.has(scope))) return true;
  if (rule.claim === undefined) return false;
  const listed = principal.claims[rule.claim];
  return Array.isArray(listed) && listed.includes(tenantId);
}

/**
 * Decides the tenant id of a request from the principal and the tenant header's values. Pure: no
 * store is read. A principal may always name its own tenant in the header; naming another one is a
 * mismatch unless {@link mayActFor} allows it. A repeated or malformed header is refused before
 * anything else, so its value never reaches a store or a log.
 *
 * @example
 * chooseTenant(principal, request.headerValues('x-tenant-id'), rule)
 * // { kind: 'tenant', tenantId: 'acme', source: 'principal' }
 */
export function chooseTenant(principal: Principal | undefined, headerValues: readonly string[], rule: MultiTenantRule): TenantChoice {
  if (headerValues.length > 1) return { kind: 'refuse', code: 'TG_INVALID_TENANT_HEADER' };
  const named = headerValues[0];
  if (named !== undefined && !isTenantId(named)) return { kind: 'refuse', code: 'TG_INVALID_TENANT_HEADER' };
  if (principal === undefined) return named === undefined ? { kind: 'none' } : { kind: 'refuse', code: 'TG_TENANT_MISMATCH' };
  const home = principal.tenantId;
  if (named === undefined || named === home) return home === undefined ? { kind: 'none' } : { kind: 'tenant', tenantId: home, source: 'principal' };
  return mayActFor(principal, named, rule) ? { kind: 'tenant', tenantId: named, source: 'header' } : { kind: 'refuse', code: 'TG_TENANT_MISMATCH' };
}
