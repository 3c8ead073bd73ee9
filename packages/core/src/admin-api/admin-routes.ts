// The admin API's routes: which operation a method and a mount-relative path name, or why none does (404, 405).
import { TollgateError } from '../errors/tollgate-error.js';

/** Every operation of the admin API. */
export type AdminOperation =
  | 'keys.list'
  | 'keys.create'
  | 'keys.show'
  | 'keys.rotate'
  | 'keys.revoke'
  | 'tenants.list'
  | 'tenants.create'
  | 'tenants.show'
  | 'tenants.suspend'
  | 'tenants.resume'
  | 'tenants.setLimits';

/** A matched route: the operation and the id in the path, if any. */
export interface MatchedAdminRoute {
  readonly operation: AdminOperation;
  /** `keys` routes need `admin:keys`, `tenants` routes `admin:tenants`. */
  readonly area: 'keys' | 'tenants';
  readonly id?: string;
}

const table: ReadonlyArray<{ readonly pattern: RegExp; readonly methods: Readonly<Record<string, AdminOperation>> }> = [
  { pattern: /^\/keys$/, methods: { GET: 'keys.list', POST: 'keys.create' } },
  { pattern: /^\/keys\/([^/]+)$/, methods: { GET: 'keys.show' } },
  { pattern: /^\/keys\/([^/]+)\/rotate$/, methods: { POST: 'keys.rotate' } },
  { pattern: /^\/keys\/([^/]+)\/revoke$/, methods: { POST: 'keys.revoke' } },
  { pattern: /^\/tenants$/, methods: { GET: 'tenants.list', POST: 'tenants.create' } },
  { pattern: /^\/tenants\/([^/]+)$/, methods: { GET: 'tenants.show' } },
  { pattern: /^\/tenants\/([^/]+)\/suspend$/, methods: { POST: 'tenants.suspend' } },
  { pattern: /^\/tenants\/([^/]+)\/resume$/, methods: { POST: 'tenants.resume' } },
  { pattern: /^\/tenants\/([^/]+)\/limits$/, methods: { PUT: 'tenants.setLimits' } },
];

/**
 * The route for `method` and `path` (relative to where the API is mounted; a trailing slash is ignored).
 * Throws `TG_UNKNOWN_ROUTE` (404) for a path it does not serve, `TG_METHOD_NOT_ALLOWED` (405, with
 * `Allow`) for a method it does not serve there. Tenant routes exist only when a tenant store is given.
 *
 * @example
 * matchAdminRoute('POST', '/keys/AbC123dEf456/revoke', true) // { operation: 'keys.revoke', area: 'keys', id: 'AbC123dEf456' }
 */
export function matchAdminRoute(method: string, path: string, tenantRoutes: boolean): MatchedAdminRoute {
  const clean = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  for (const { pattern, methods } of table) {
    const match = pattern.exec(clean);
    if (match === null) continue;
    const area = clean.startsWith('/keys') ? 'keys' : 'tenants';
    if (area === 'tenants' && !tenantRoutes) break;
    const operation = methods[method.toUpperCase()];
    if (operation === undefined) {
      throw new TollgateError('TG_METHOD_NOT_ALLOWED', { headers: { allow: Object.keys(methods).join(', ') } });
    }
    let id: string | undefined;
    try {
      id = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    } catch {
      break;
    }
    return { operation, area, ...(id === undefined ? {} : { id }) };
  }
  throw new TollgateError('TG_UNKNOWN_ROUTE', { message: 'This path is not part of the admin API.' });
}
