// Who may do what through the admin API: the admin permission, the tenant a caller is confined to, and no grant beyond its own.
import { namePattern } from '../authorize/name-pattern.js';
import type { Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import type { KeyRecord } from '../key-store/key-record.js';

/** The permission an admin area needs. */
export type AdminAction = 'admin:keys' | 'admin:tenants';

/** How the caller's permission was established, for `context.decisions.admin`. */
export type AdminPermissionSource = 'authorize' | 'scope';

/**
 * The caller, checked for the action: when the authorize step ran for this request, its decision is the
 * permission (it must have allowed exactly this action, so a route mapped to another action fails
 * closed); when it did not, the principal must carry the action as a scope. Nobody else gets through.
 *
 * @example
 * const { principal, via } = adminCaller(context, 'admin:keys');
 */
export function adminCaller(context: TgContext, action: AdminAction): { principal: Principal; via: AdminPermissionSource } {
  const { principal } = context;
  if (principal === undefined) throw new TollgateError('TG_MISSING_CREDENTIAL');
  const authz = context.decisions.authz;
  if (authz !== undefined) {
    if (authz.allow && authz.action === action) return { principal, via: 'authorize' };
    throw new TollgateError('TG_POLICY_DENIED', {
      message: authz.allow ? `This route is mapped to ${authz.action}, not ${action}; map the admin routes to ${action} in authorize.routes.` : `The policy does not allow ${action}.`,
      detail: { rule: authz.rule, action },
    });
  }
  if (principal.scopes.includes(action)) return { principal, via: 'scope' };
  throw new TollgateError('TG_INSUFFICIENT_SCOPE', { message: `This needs the ${action} permission.`, detail: { required_scope: action } });
}

/**
 * The tenant the caller acts for: the one resolveTenant attached (which honours the tenant header for
 * multi-tenant principals), else the credential's own. Undefined means a platform operator's credential
 * (no tenant at all), which is not confined to one tenant.
 *
 * @example
 * const tenantId = actingTenant(context, principal); // 'acme'
 */
export function actingTenant(context: TgContext, principal: Principal): string | undefined {
  return context.tenant?.id ?? principal.tenantId;
}

/**
 * Refuses to act on another tenant: `requested` must be the acting tenant, unless the caller has none.
 *
 * @example
 * assertSameTenant('acme', 'globex') // throws TG_TENANT_MISMATCH
 */
export function assertSameTenant(acting: string | undefined, requested: string | undefined): void {
  if (acting !== undefined && requested !== acting) {
    throw new TollgateError('TG_TENANT_MISMATCH', { message: 'This credential manages the keys of its own tenant only.' });
  }
}

function missing(granted: readonly string[] | undefined, held: readonly string[]): string[] {
  return (granted ?? []).filter((item) => !held.includes(item));
}

/**
 * Model patterns not covered by the caller's: a granted pattern is covered when one of the caller's
 * matches its text (its own `*` read as a character), which is sound because a caller's `*` matches
 * whatever a granted `*` expands to. `gpt-4o*` covers `gpt-4o-mini` and `gpt-4o-mini*`, not `gpt-*`.
 */
function uncoveredModels(granted: readonly string[], held: readonly string[]): string[] {
  const patterns = held.map(namePattern);
  return granted.filter((model) => !patterns.some((covers) => covers(model)));
}

/**
 * Refuses a grant beyond the caller's own: every role and scope must be the caller's, and a caller
 * limited to some models may only hand out models its patterns cover. The same rule guards rotating a key,
 * so nobody mints a new secret for a more privileged identity.
 *
 * @example
 * assertWithinGrant(principal, { roles: ['admin'] }, 'roles') // throws TG_PRIVILEGE_ESCALATION unless the caller is an admin
 */
export function assertWithinGrant(principal: Principal, grant: Pick<KeyRecord, 'roles' | 'scopes' | 'models'> | { roles?: readonly string[]; scopes?: readonly string[]; models?: readonly string[] }, what: string): void {
  const roles = missing(grant.roles, principal.roles);
  const scopes = missing(grant.scopes, principal.scopes);
  const callerModels = principal.models;
  const models = callerModels === undefined ? [] : grant.models === undefined ? ['(every model)'] : uncoveredModels(grant.models, callerModels);
  const excess = [
    ...(roles.length > 0 ? [`roles ${roles.join(', ')}`] : []),
    ...(scopes.length > 0 ? [`scopes ${scopes.join(', ')}`] : []),
    ...(models.length > 0 ? [`models ${models.join(', ')}`] : []),
  ];
  if (excess.length === 0) return;
  const param = roles.length > 0 ? 'roles' : scopes.length > 0 ? 'scopes' : 'models';
  throw new TollgateError('TG_PRIVILEGE_ESCALATION', { message: `${what} would carry ${excess.join('; ')}, which the caller does not have.`, param });
}
