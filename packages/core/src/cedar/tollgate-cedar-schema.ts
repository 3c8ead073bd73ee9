// The Cedar schema of the entities, actions and context tollgate builds, for validating policies and requests.
import { builtInActions, isActionName } from '../authorize/actions.js';
import { ConfigError } from '../errors/tollgate-error.js';

/**
 * The Cedar schema (Cedar syntax) of what tollgate sends: `Tollgate::User`/`Service` principals in their
 * `Role`s and `Tenant`, `Model` and `Endpoint` resources, and the request context. Pass it as the
 * `schema` of {@link cedar} so policies are validated at startup (a typo such as `resource.tag` fails
 * there instead of at request time); list your own actions (from `authorize.routes`) to include them.
 *
 * @example
 * const provider = await cedar({ policiesFile: './policies.cedar', schema: tollgateCedarSchema(['reports:read']) });
 */
export function tollgateCedarSchema(extraActions: readonly string[] = []): string {
  for (const action of extraActions) if (!isActionName(action)) throw new ConfigError(`tollgateCedarSchema: not an action name: ${JSON.stringify(action)}`);
  const actions = [...new Set([...builtInActions, ...extraActions])].map((a) => JSON.stringify(a)).join(', ');
  return `namespace Tollgate {
  entity Role;
  entity Tenant = { id: String, status: String, tier?: String, tags: Set<String> };
  entity User, Service in [Role, Tenant] = {
    subject: String, kind: String, method: String, roles: Set<String>, scopes: Set<String>,
    env?: String, keyId?: String, tenant?: Tenant
  };
  entity Model = { name: String, requested: String, provider?: String, tags: Set<String> } tags Set<String>;
  entity Endpoint = { method: String, path: String };
  type RequestContext = { environment?: String, api?: String, stream?: Bool, tools?: Long, maxTokens?: Long, n?: Long };
  action ${actions} appliesTo { principal: [User, Service], resource: [Model, Endpoint], context: RequestContext };
}
`;
}
