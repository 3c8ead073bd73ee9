// Turns an authorization request into Cedar's principal, action, resource, context and entities (namespace Tollgate).
import type { AuthorizationRequest } from '../authorize/policy-provider.js';
import type { CedarEntity, CedarUid, CedarValue } from './cedar-engine.js';

/** Cedar's side of a request. `resource` is null when the model is unknown (partial evaluation). */
export interface CedarCall {
  readonly principal: CedarUid;
  readonly action: CedarUid;
  readonly resource: CedarUid | null;
  readonly context: Record<string, CedarValue>;
  readonly entities: CedarEntity[];
}

const unknown = (name: string): CedarValue => ({ __extn: { fn: 'unknown', arg: name } });
const ref = (uid: CedarUid): CedarValue => ({ __entity: { type: uid.type, id: uid.id } });

/** `customer:acme` and `customer:globex` become the entity tag `customer` = ["acme", "globex"]. */
function entityTags(tags: readonly string[]): Record<string, CedarValue> {
  const grouped: Record<string, string[]> = {};
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    if (colon <= 0) continue;
    (grouped[tag.slice(0, colon)] ??= []).push(tag.slice(colon + 1));
  }
  return grouped;
}

/**
 * Builds the Cedar request. Entities: the principal (`Tollgate::User` or `Tollgate::Service`, id the
 * subject, in its `Tollgate::Role`s and its `Tollgate::Tenant`), its roles, the tenant, and the resource:
 * `Tollgate::Model` (attributes name, requested, provider, tags; `key:value` tags also as entity tags)
 * or `Tollgate::Endpoint` (method, path). The action is `Tollgate::Action::"<action>"`. Context:
 * api, stream, tools, maxTokens, n (when validateRequest ran) and environment. With `unknowns`, facts
 * that are missing become Cedar unknowns (and an unknown model a null resource) for partial evaluation.
 *
 * @example
 * const call = cedarCall(request, false);
 * engine.statefulIsAuthorized({ ...call, preparsedPolicySetId });
 */
export function cedarCall(request: AuthorizationRequest, unknowns: boolean): CedarCall {
  const { principal, tenant, resource } = request;
  const missing = (fact: 'tenant' | 'inference' | 'model') => unknowns && request.missing.includes(fact);
  const principalUid: CedarUid = { type: principal.kind === 'service' ? 'Tollgate::Service' : 'Tollgate::User', id: principal.subject };
  const roles = [...new Set(principal.roles)];
  const tenantUid: CedarUid | undefined = tenant === undefined ? undefined : { type: 'Tollgate::Tenant', id: tenant.id };
  const principalAttrs: Record<string, CedarValue> = {
    subject: principal.subject,
    kind: principal.kind,
    method: principal.method,
    roles: roles,
    scopes: [...new Set(principal.scopes)],
  };
  if (request.context.environment !== undefined) principalAttrs['env'] = request.context.environment;
  if (principal.keyId !== undefined) principalAttrs['keyId'] = principal.keyId;
  if (missing('tenant')) principalAttrs['tenant'] = unknown('tenant');
  else if (tenantUid !== undefined) principalAttrs['tenant'] = ref(tenantUid);
  const entities: CedarEntity[] = [
    { uid: principalUid, attrs: principalAttrs, parents: [...roles.map((id) => ({ type: 'Tollgate::Role', id })), ...(tenantUid === undefined ? [] : [tenantUid])] },
    ...roles.map((id) => ({ uid: { type: 'Tollgate::Role', id }, attrs: {}, parents: [] })),
  ];
  if (tenant !== undefined && tenantUid !== undefined) {
    entities.push({ uid: tenantUid, attrs: { id: tenant.id, status: tenant.status, tags: [...tenant.tags], ...(tenant.tier === undefined ? {} : { tier: tenant.tier }) }, parents: [] });
  }
  let resourceUid: CedarUid | null;
  if (resource.type === 'model') {
    const { model } = resource;
    resourceUid = { type: 'Tollgate::Model', id: model.name };
    const attrs: Record<string, CedarValue> = { name: model.name, requested: model.requested, tags: [...new Set(model.tags)] };
    if (model.provider !== undefined) attrs['provider'] = model.provider;
    entities.push({ uid: resourceUid, attrs, parents: [], tags: entityTags(model.tags) });
  } else if (missing('model')) {
    resourceUid = null;
  } else {
    resourceUid = { type: 'Tollgate::Endpoint', id: resource.id };
    entities.push({ uid: resourceUid, attrs: { method: resource.method, path: resource.id }, parents: [] });
  }
  const context: Record<string, CedarValue> = {};
  if (request.context.environment !== undefined) context['environment'] = request.context.environment;
  const facts = request.context.inference;
  if (facts !== undefined) {
    Object.assign(context, { api: facts.api, stream: facts.stream, tools: facts.tools, n: facts.n });
    if (facts.maxTokens !== undefined) context['maxTokens'] = facts.maxTokens;
  } else if (missing('inference')) {
    for (const name of ['api', 'stream', 'tools', 'maxTokens', 'n']) context[name] = unknown(name);
  }
  return { principal: principalUid, action: { type: 'Tollgate::Action', id: request.action }, resource: resourceUid, context, entities };
}
