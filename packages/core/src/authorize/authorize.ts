// The authorize step: asks a policy provider about (principal, tenant, action, resource, context); nothing is allowed by default.
import type { AuthzDecision } from '../context/tg-context.js';
import { ConfigError, TollgateError, isTollgateError } from '../errors/tollgate-error.js';
import { toTollgateError } from '../errors/render-error.js';
import type { ClosableStep } from '../gate.js';
import { headerNames } from '../options/option-checks.js';
import { actionResolver, isActionName, type RouteAction } from './actions.js';
import { authorizationRequestOf } from './authorization-request.js';
import { checkedDecision, missingStepError } from './decision-checks.js';
import { modelNotFoundError, routeToFallback, type ModelLookup } from './fallback-model.js';
import { namePattern } from './name-pattern.js';
import type { AuthorizationRequest, PolicyDecision, PolicyProvider } from './policy-provider.js';

/** A scope an action needs, checked before the policy: `{ action: 'admin:*', scope: 'admin' }`. */
export interface ScopeRequirement {
  /** Action pattern; `*` is a wildcard. */
  readonly action: string;
  readonly scope: string;
}

/** Options of {@link authorize}. */
export interface AuthorizeOptions {
  /** The policy engine: `rbac(…)`, `await cedar(…)`, `authzen(…)`, or the app's own. A promise is awaited once (see `ready()`). */
  readonly provider: PolicyProvider | Promise<PolicyProvider>;
  /** The app's routes mapped to actions, tried before the built-in inference paths. @default [] */
  readonly routes?: readonly RouteAction[];
  /** Scopes actions need; a shortfall is a 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`. @default [] */
  readonly scopes?: readonly ScopeRequirement[];
  /** Finds fallback models by name (the model registry); required when the policy routes to fallbacks. */
  readonly models?: ModelLookup;
  /** Response header that names the model a request was routed to. @default 'x-tollgate-model-rewritten' */
  readonly rewriteHeader?: string;
}

/** The authorize step. */
export interface AuthorizeStep extends ClosableStep {
  readonly name: 'authorize';
  /** Resolves once the provider is loaded and checked; rejects with its ConfigError otherwise. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

function checkProvider(provider: PolicyProvider, models: ModelLookup | undefined): PolicyProvider {
  if (provider === null || typeof provider !== 'object' || typeof provider.decide !== 'function' || typeof provider.name !== 'string') {
    throw new ConfigError('authorize: options.provider must be a PolicyProvider (an object with name and decide(request))');
  }
  if (provider.mayRouteModels === true && models === undefined) {
    throw new ConfigError(`authorize: the ${provider.name} policy routes requests to fallback models; pass options.models to look them up`);
  }
  return provider;
}

// A provider that is down says so with a TollgateError (503); anything else is a bug: fail closed.
const providerFailure = (thrown: unknown): TollgateError => (isTollgateError(thrown) ? thrown : new TollgateError('TG_INTERNAL', { cause: thrown }));

/** The provider's checked decision; synchronous when the provider answers synchronously (RBAC, Cedar). */
function ask(provider: PolicyProvider, request: AuthorizationRequest): PolicyDecision | Promise<PolicyDecision> {
  let answer: unknown;
  try {
    answer = provider.decide(request);
  } catch (thrown) {
    throw providerFailure(thrown);
  }
  if (typeof (answer as Partial<PromiseLike<unknown>> | null)?.then === 'function') {
    return Promise.resolve(answer).then(
      (value) => checkedDecision(value, provider.name),
      (thrown: unknown) => {
        throw providerFailure(thrown);
      },
    );
  }
  return checkedDecision(answer, provider.name);
}

/**
 * Builds the authorize step. It maps the request to an action, checks required scopes, and asks the
 * provider; it records `context.decisions.authz` for every request it sees. A denial is a 403 naming
 * the rule (or, for a rule that conceals the model, the same 400 as an unknown model); a policy that
 * needs facts an absent step provides is a 500 naming that step; a provider that cannot answer is a
 * 503 or 500, never an allow. A fallback-model obligation routes the request to a model the policy
 * allows instead of denying it, rewriting `context.model` and the body's `model`.
 *
 * @example
 * const tg = gate({
 *   authenticate: { methods: [apiKey({ store: keys })] },
 *   resolveTenant: resolveTenant({ store: tenants }),
 *   authorize: authorize({ provider: rbac({ file: './policy.yaml' }), routes: [{ path: '/admin/keys/**', action: 'admin:keys' }] }),
 * });
 */
export function authorize(options: AuthorizeOptions): AuthorizeStep {
  if (options === null || typeof options !== 'object' || options.provider === undefined || options.provider === null) {
    throw new ConfigError('authorize: options.provider is required (rbac, cedar, authzen or your own PolicyProvider)');
  }
  if (options.models !== undefined && typeof options.models !== 'function') throw new ConfigError('authorize: options.models must be a function (name) => ModelInfo | undefined');
  const models = options.models;
  const actions = actionResolver(options.routes ?? []);
  if (options.scopes !== undefined && !Array.isArray(options.scopes)) throw new ConfigError('authorize.scopes must be a list of { action, scope }');
  const scopes = (options.scopes ?? []).map((req, i) => {
    if (typeof req?.action !== 'string' || req.action === '' || typeof req.scope !== 'string' || req.scope === '') throw new ConfigError(`authorize.scopes[${i}] must be { action, scope } with non-empty strings`);
    if (!isActionName(req.action.replaceAll('*', 'x'))) throw new ConfigError(`authorize.scopes[${i}].action is not an action pattern: ${JSON.stringify(req.action)}`);
    return { matches: namePattern(req.action), scope: req.scope };
  });
  const header = headerNames([options.rewriteHeader ?? 'x-tollgate-model-rewritten'], 'authorize.rewriteHeader', [])[0]!;
  const pending = typeof (options.provider as Partial<Promise<unknown>>).then === 'function';
  let provider: PolicyProvider | undefined = pending ? undefined : checkProvider(options.provider as PolicyProvider, models);
  const loading = Promise.resolve(options.provider).then((p) => (provider = checkProvider(p, models)));
  loading.catch(() => undefined); // surfaced by ready() and, failing closed, by every request

  async function loaded(): Promise<PolicyProvider> {
    if (provider !== undefined) return provider;
    try {
      return await loading;
    } catch (cause) {
      throw new TollgateError('TG_INTERNAL', { cause });
    }
  }

  return {
    name: 'authorize',
    requires: ['authenticate'],
    async ready() {
      await loading;
    },
    async run(context) {
      let record: AuthzDecision = { allow: false, rule: 'none', provider: provider?.name ?? 'unknown', action: 'unknown' };
      let denied = false; // a refusal decided by a rule, as opposed to one for want of a decision
      try {
        const { principal } = context;
        if (principal === undefined) {
          record = { ...record, rule: 'authenticated' };
          throw new TollgateError('TG_MISSING_CREDENTIAL');
        }
        const engine = provider ?? (await loaded());
        const action = actions.find(context.request.method, context.request.path, context.inference);
        record = { ...record, provider: engine.name, action: action ?? 'unknown' };
        if (action === undefined) {
          record = { ...record, rule: 'unmapped-route' };
          denied = true;
          throw new TollgateError('TG_POLICY_DENIED', { message: 'No action is mapped to this route, so nothing allows it.', detail: { rule: 'unmapped-route' } });
        }
        const shortfall = scopes.find((req) => req.matches(action) && !principal.scopes.includes(req.scope));
        if (shortfall !== undefined) {
          record = { ...record, rule: 'required-scope' };
          denied = true;
          throw new TollgateError('TG_INSUFFICIENT_SCOPE', { message: `This action needs the "${shortfall.scope}" scope.`, detail: { rule: 'required-scope', required_scope: shortfall.scope } });
        }
        const request = authorizationRequestOf(context, principal, action);
        const required = (engine.requiresFacts ?? []).filter((fact) => request.missing.includes(fact));
        if (required.length > 0) throw missingStepError(required);
        const asked = ask(engine, request);
        const decision = asked instanceof Promise ? await asked : asked;
        record = { ...record, allow: decision.allow, rule: decision.rule, ...(decision.reason === undefined ? {} : { reason: decision.reason }), ...(decision.cached === undefined ? {} : { cached: decision.cached }) };
        if (decision.allow) return;
        if (decision.missing !== undefined && decision.missing.length > 0) throw missingStepError(decision.missing);
        const fallback = decision.obligations?.find((o) => o.type === 'fallback-model');
        if (fallback !== undefined && request.resource.type === 'model' && models !== undefined) {
          const from = request.resource.id;
          const target = await models(fallback.model);
          if (target !== undefined && target.name !== from) {
            const second = await ask(engine, authorizationRequestOf(context, principal, action, target));
            if (second.allow && (second.obligations ?? []).length === 0 && (await routeToFallback(context, target, header))) {
              record = { allow: true, rule: second.rule, provider: engine.name, action, obligations: [{ type: 'fallback-model', from, to: target.name, rule: decision.rule }] };
              return;
            }
          }
        }
        denied = true;
        if (decision.conceal === true && request.resource.type === 'model') throw modelNotFoundError(request.resource.model.requested);
        const detail = { rule: decision.rule, ...(decision.requiredScope === undefined ? {} : { required_scope: decision.requiredScope }) };
        const message = decision.reason ?? `The request is not allowed by policy rule "${decision.rule}".`;
        throw new TollgateError(decision.requiredScope === undefined ? 'TG_POLICY_DENIED' : 'TG_INSUFFICIENT_SCOPE', { message, detail, param: decision.param ?? null });
      } catch (thrown) {
        const error = toTollgateError(thrown);
        record = { ...record, allow: false, ...(denied ? {} : { error: error.code }) };
        throw error;
      } finally {
        context.decisions.authz = record;
      }
    },
    async close() {
      const engine = provider ?? (await loading.catch(() => undefined));
      await engine?.close?.();
    },
  };
}
