// The OpenID AuthZEN evaluation request tollgate sends, and how a PDP's answer becomes a decision (or garbage).
import type { AuthorizationRequest, PolicyDecision } from '../authorize/policy-provider.js';

/** An AuthZEN Access Evaluation request (Authorization API 1.0, section 6.1). */
export interface AuthzenEvaluation {
  readonly subject: { readonly type: string; readonly id: string; readonly properties: Record<string, unknown> };
  readonly action: { readonly name: string; readonly properties: Record<string, unknown> };
  readonly resource: { readonly type: string; readonly id: string; readonly properties: Record<string, unknown> };
  readonly context: Record<string, unknown>;
}

/**
 * The evaluation request for an authorization request. Subject: the principal (`user`/`service`,
 * its subject, roles, scopes, method, key id, tenant id, environment). Action: the action name with the
 * request's inference facts (`api`, `stream`, `tools`, `max_tokens`, `n`). Resource: a `model` (name,
 * requested name, tags, provider) or an `endpoint` (path, method). Context: the tenant (id, status,
 * tier, tags) or null. Built deterministically, so equal questions serialise equally (cache keys).
 *
 * @example
 * const body = JSON.stringify(authzenEvaluation(request));
 */
export function authzenEvaluation(request: AuthorizationRequest): AuthzenEvaluation {
  const { principal, tenant, resource } = request;
  const facts = request.context.inference;
  return {
    subject: {
      type: principal.kind,
      id: principal.subject,
      properties: {
        roles: [...principal.roles],
        scopes: [...principal.scopes],
        method: principal.method,
        key_id: principal.keyId ?? null,
        tenant_id: principal.tenantId ?? null,
        environment: request.context.environment ?? null,
      },
    },
    action: {
      name: request.action,
      properties: facts === undefined ? {} : { api: facts.api, stream: facts.stream, tools: facts.tools, max_tokens: facts.maxTokens ?? null, n: facts.n },
    },
    resource:
      resource.type === 'model'
        ? { type: 'model', id: resource.id, properties: { requested: resource.model.requested, tags: [...resource.model.tags], provider: resource.model.provider ?? null } }
        : { type: 'endpoint', id: resource.id, properties: { method: resource.method } },
    context: { tenant: tenant === undefined ? null : { id: tenant.id, status: tenant.status, tier: tenant.tier ?? null, tags: [...tenant.tags] } },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const safeText = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max && /^[\x20-\x7e\u00a0-\uffff]+$/.test(value) ? value : undefined;

/** A user-facing reason from `reason_user` (`{ "en-403": "…" }` or `{ "en": "…" }`), when there is a usable one. */
function userReason(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  return safeText(value['en-403'], 500) ?? safeText(value['en'], 500) ?? Object.values(value).map((v) => safeText(v, 500)).find((v) => v !== undefined);
}

/**
 * Reads a PDP's answer. Returns the decision, or undefined when the answer is garbage (not an object, no
 * boolean `decision`), which the caller turns into a 503: never an allow. From `context` it takes the
 * rule (`id`), a user reason (`reason_user`), and tollgate's extensions `fallback_model`, `conceal` and
 * `required_scope` for denials.
 *
 * @example
 * const decision = readAuthzenDecision(JSON.parse(text));
 */
export function readAuthzenDecision(answer: unknown): PolicyDecision | undefined {
  if (!isObject(answer) || typeof answer['decision'] !== 'boolean') return undefined;
  const allow = answer['decision'];
  const context = isObject(answer['context']) ? answer['context'] : {};
  const id = typeof context['id'] === 'number' ? String(context['id']) : safeText(context['id'], 128);
  const rule = id ?? (allow ? 'pdp-permit' : 'pdp-deny');
  if (allow) return { allow: true, rule };
  const reason = userReason(context['reason_user']);
  const fallback = safeText(context['fallback_model'], 256);
  const scope = safeText(context['required_scope'], 200);
  return {
    allow: false,
    rule,
    ...(reason === undefined ? {} : { reason }),
    ...(fallback === undefined ? {} : { obligations: [{ type: 'fallback-model', model: fallback }] }),
    ...(context['conceal'] === true ? { conceal: true } : {}),
    ...(scope === undefined ? {} : { requiredScope: scope }),
  };
}
