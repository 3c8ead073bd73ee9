// Token claims to a Principal: which claim names the caller, its tenant, roles and scopes, for JWTs and introspection alike.
import type { AuthMethodName, Principal } from '../context/principal.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';

/**
 * Where a value sits in the claims: a claim name, or a dot path into nested objects
 * (`realm_access.roles`). A claim whose own name contains dots (Auth0's namespaced
 * `https://example.com/roles`) is matched whole first. A list gives the path segments explicitly.
 */
export type ClaimPath = string | readonly string[];

/** How claims become a principal. */
export interface ClaimMapping {
  /** The caller's id; when absent, `client_id` (client-credentials tokens). @default 'sub' */
  readonly subject?: ClaimPath;
  /** The tenant id (e.g. `org_id`, Entra `tid`). @default none: the principal has no tenant */
  readonly tenant?: ClaimPath;
  /** Roles: a list of strings or one string (e.g. `roles`, `realm_access.roles`, `groups`). @default none */
  readonly roles?: ClaimPath;
  /** Scopes: a space-separated string or a list. @default `scope`, then `scp` */
  readonly scopes?: ClaimPath;
  /**
   * `user` or `service` for every token, or `auto`: service for client-credentials tokens
   * (`sub` equal to `client_id`/`azp`/`cid`, Auth0 `gty: client-credentials`, Entra `idtyp: app`,
   * Keycloak `service-account-` users, or no `sub` at all), otherwise user.
   * @default 'auto'
   */
  readonly kind?: 'user' | 'service' | 'auto';
}

/** A mapping checked at startup, with paths split into segments. */
export interface ResolvedClaimMapping {
  readonly subject: readonly string[] | undefined;
  readonly tenant: readonly string[] | undefined;
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly kind: 'user' | 'service' | 'auto';
}

function path(value: ClaimPath | undefined, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const segments = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as readonly unknown[])] : undefined;
  if (segments === undefined || segments.length === 0 || segments.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigError(`${name} must be a claim name, a dot path, or a non-empty list of path segments`);
  }
  return Object.freeze(segments as string[]);
}

/**
 * Checks a claim mapping at startup.
 *
 * @example
 * resolveClaimMapping({ tenant: 'org_id', roles: 'realm_access.roles' }, 'jwt.claims')
 */
export function resolveClaimMapping(mapping: ClaimMapping | undefined, name: string): ResolvedClaimMapping {
  if (mapping !== undefined && (typeof mapping !== 'object' || mapping === null)) throw new ConfigError(`${name} must be an object`);
  const kind = mapping?.kind ?? 'auto';
  if (kind !== 'user' && kind !== 'service' && kind !== 'auto') throw new ConfigError(`${name}.kind must be "user", "service" or "auto"`);
  return {
    subject: path(mapping?.subject, `${name}.subject`),
    tenant: path(mapping?.tenant, `${name}.tenant`),
    roles: path(mapping?.roles, `${name}.roles`),
    scopes: path(mapping?.scopes, `${name}.scopes`),
    kind,
  };
}

function own(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return undefined;
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** The value at a path: a one-segment path is tried whole, then split on dots. */
export function claimAt(claims: Readonly<Record<string, unknown>>, segments: readonly string[]): unknown {
  if (segments.length === 1) {
    const whole = own(claims, segments[0]!);
    if (whole !== undefined || !segments[0]!.includes('.')) return whole;
    return segments[0]!.split('.').reduce<unknown>((value, key) => own(value, key), claims);
  }
  return segments.reduce<unknown>((value, key) => own(value, key), claims);
}

function stringList(value: unknown, split: boolean): string[] {
  if (typeof value === 'string') return split ? value.split(' ').filter((s) => s !== '') : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

const refuse = (): never => {
  throw new TollgateError('TG_INVALID_CREDENTIAL');
};

function kindOf(claims: Readonly<Record<string, unknown>>, subject: string, hasSub: boolean, mapping: ResolvedClaimMapping): 'user' | 'service' {
  if (mapping.kind !== 'auto') return mapping.kind;
  if (!hasSub) return 'service';
  const clients = [claims['client_id'], claims['azp'], claims['cid'], claims['appid']];
  if (clients.some((c) => c === subject)) return 'service';
  if (claims['gty'] === 'client-credentials' || claims['idtyp'] === 'app') return 'service';
  const username = claims['preferred_username'];
  return typeof username === 'string' && username.startsWith('service-account-') ? 'service' : 'user';
}

/**
 * Builds the principal of verified claims. A missing subject, or a tenant claim that is present but
 * not a string, refuses the token (401): it would otherwise pass with the wrong identity.
 *
 * @example
 * principalFromClaims({ sub: 'alice', scope: 'chat models' }, resolveClaimMapping({}, 'jwt.claims'), 'jwt')
 * // { subject: 'alice', kind: 'user', method: 'jwt', roles: [], scopes: ['chat', 'models'], claims: {…} }
 */
export function principalFromClaims(claims: Readonly<Record<string, unknown>>, mapping: ResolvedClaimMapping, method: AuthMethodName): Principal {
  const sub = claimAt(claims, mapping.subject ?? ['sub']);
  const hasSub = typeof sub === 'string' && sub !== '';
  const subject = hasSub ? sub : mapping.subject === undefined ? claims['client_id'] : undefined;
  if (typeof subject !== 'string' || subject === '' || subject.length > 1024) return refuse();
  let tenantId: string | undefined;
  if (mapping.tenant !== undefined) {
    const tenant = claimAt(claims, mapping.tenant);
    if (tenant !== undefined && (typeof tenant !== 'string' || tenant === '')) return refuse();
    tenantId = tenant;
  }
  const roles = mapping.roles === undefined ? [] : stringList(claimAt(claims, mapping.roles), false);
  const scopeValue = mapping.scopes === undefined ? (claims['scope'] ?? claims['scp']) : claimAt(claims, mapping.scopes);
  const scopes = stringList(scopeValue, true);
  return Object.freeze({
    subject,
    kind: kindOf(claims, subject, hasSub, mapping),
    method,
    ...(tenantId === undefined ? {} : { tenantId }),
    roles: Object.freeze([...new Set(roles)]),
    scopes: Object.freeze([...new Set(scopes)]),
    claims: Object.freeze({ ...claims }),
  } satisfies Principal);
}
