// The admin API: key and tenant operations as a framework-free handler that adapters mount behind a tollgate chain.
import type { SecretHashOptions } from '../api-key/secret-hash.js';
import type { TgContext } from '../context/tg-context.js';
import { renderError, toTollgateError, type ErrorFormat, type ErrorRenderer, type RenderedResponse } from '../errors/render-error.js';
import { ConfigError, type TollgateError } from '../errors/tollgate-error.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import type { WritableTenantStore } from '../tenant-store/tenant-store.js';
import { adminCaller } from './admin-access.js';
import { runKeyOperation } from './admin-key-handlers.js';
import { matchAdminRoute, type AdminOperation } from './admin-routes.js';
import { runTenantOperation } from './admin-tenant-handlers.js';

/** Options of {@link adminApi}. */
export interface AdminApiOptions {
  /** Where keys are issued, rotated and revoked. */
  readonly keys: WritableKeyStore;
  /** Where tenants are managed; without it the `/tenants` routes do not exist (404). */
  readonly tenants?: WritableTenantStore;
  /** Grace period of a rotation whose request names none, in seconds. @default 86400 */
  readonly rotationGraceSeconds?: number;
  /** argon2id cost of new keys' hashes. @default OWASP's (createApiKey's) */
  readonly hash?: SecretHashOptions;
  /** Error body format, as the pipeline's `errors.format`. @default 'openai' */
  readonly errorFormat?: ErrorFormat | ErrorRenderer;
  /** Told about every 5xx (a store that failed, a bug) with its cause, for the app's logs. @default writes nothing */
  readonly onError?: (error: TollgateError, requestId: string) => void;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** A request to the admin API, as the adapter passes it: the path is relative to where the API is mounted. */
export interface AdminRequest {
  readonly method: string;
  /** e.g. `/keys/AbC123dEf456/revoke`; without the query string. */
  readonly path: string;
  /** The query string, with or without its `?`. @default '' */
  readonly query?: string;
  /**
   * The JSON body when the framework has parsed it already (Fastify); otherwise the API reads it
   * through `context.request.json()`, with its size, type and duplicate-key checks.
   */
  readonly body?: { readonly value: unknown };
}

/** What one admin request did, in `context.decisions.admin` (and so in the inference record). */
export interface AdminDecision {
  readonly operation: AdminOperation | 'unknown';
  readonly allow: boolean;
  /** How the permission was established: the authorize step's decision, or the principal's scope. */
  readonly via?: 'authorize' | 'scope';
  readonly keyId?: string;
  readonly status: number;
}

/** The mountable handler. */
export interface AdminApi {
  /** Handles one request whose context the chain in front (authenticate, and usually authorize) has filled. */
  handle(context: TgContext, request: AdminRequest): Promise<RenderedResponse>;
}

/**
 * Builds the admin API. Mount it behind the same tollgate chain as the rest of the app, on a path of
 * your choice (it is never mounted by default), e.g. `app.use('/admin', tollgate(adminGate), tollgateAdmin(admin))`.
 * Every request needs a principal and the area's permission (`admin:keys`, `admin:tenants`): the
 * authorize step's decision when it is in the chain, else the principal's scope. Key operations are
 * confined to the caller's tenant, and no caller can grant, rotate or revoke more than it holds. Responses
 * are JSON with `cache-control: no-store`; a new key appears once, in the response that created it.
 *
 * @example
 * const admin = adminApi({ keys, tenants });
 * const adminGate = gate({ authenticate: { methods: [apiKey({ store: keys })] }, resolveTenant: { store: tenants, required: false } });
 * app.use('/admin', tollgate(adminGate), tollgateAdmin(admin));
 */
export function adminApi(options: AdminApiOptions): AdminApi {
  if (options === null || typeof options !== 'object' || typeof options.keys?.put !== 'function' || typeof options.keys.list !== 'function') {
    throw new ConfigError('adminApi: options.keys must be a WritableKeyStore (get, put, delete, list)');
  }
  if (options.tenants !== undefined && typeof options.tenants.put !== 'function') throw new ConfigError('adminApi: options.tenants must be a WritableTenantStore');
  const graceSeconds = options.rotationGraceSeconds ?? 86_400;
  if (!Number.isSafeInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 90 * 86_400) throw new ConfigError('adminApi: rotationGraceSeconds must be a whole number from 0 to 7776000 (90 days)');
  const format = options.errorFormat ?? 'openai';
  const now = options.now ?? Date.now;
  const settings = { keys: options.keys, graceSeconds, hash: options.hash, now };
  const tenants = options.tenants;

  const json = (context: TgContext, status: number, body: unknown): RenderedResponse => ({
    status,
    headers: { ...context.responseHeaders, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  });

  return {
    async handle(context, request) {
      let decision: AdminDecision = { operation: 'unknown', allow: false, status: 500 };
      try {
        const route = matchAdminRoute(request.method, request.path, tenants !== undefined);
        decision = { ...decision, operation: route.operation };
        const { principal, via } = adminCaller(context, route.area === 'keys' ? 'admin:keys' : 'admin:tenants');
        decision = { ...decision, via };
        const query = new URLSearchParams(request.query ?? '');
        const result =
          route.area === 'keys'
            ? await runKeyOperation(route.operation, route.id, query, context, principal, settings, request.body)
            : await runTenantOperation(route.operation, route.id, context, principal, tenants!, request.body);
        decision = { ...decision, allow: true, status: result.status, ...(result.keyId === undefined ? {} : { keyId: result.keyId }) };
        return json(context, result.status, result.body);
      } catch (thrown) {
        const error = toTollgateError(thrown);
        decision = { ...decision, status: error.status };
        if (error.status >= 500) {
          try {
            options.onError?.(error, context.requestId);
          } catch {
            // A failing log hook must not change the answer.
          }
        }
        const response = renderError(error, { format, requestId: context.requestId });
        return { ...response, headers: { ...context.responseHeaders, ...response.headers } };
      } finally {
        context.decisions['admin'] = decision;
      }
    },
  };
}
