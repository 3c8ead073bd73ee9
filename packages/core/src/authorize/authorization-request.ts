// Builds the question for a policy provider from a request's context, or from parts (explain, CLI, tests).
import type { InferenceInfo, ModelInfo, Principal, Tenant } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { isModelAction } from './actions.js';
import type { AuthorizationRequest, InferenceFacts, PolicyFact } from './policy-provider.js';

/** The parts of an {@link AuthorizationRequest}, as a caller outside a pipeline knows them. */
export interface AuthorizationRequestParts {
  readonly principal: Principal;
  readonly tenant?: Tenant | undefined;
  readonly action: string;
  /** The resolved model, for model actions. */
  readonly model?: ModelInfo | undefined;
  /** What the request asks for, for model actions. */
  readonly inference?: InferenceInfo | undefined;
  /** @default 'POST' */
  readonly method?: string;
  /** @default '/' */
  readonly path?: string;
  /** Facts to treat as missing (their step did not run). @default derived: model and inference when absent for a model action */
  readonly missing?: readonly PolicyFact[];
}

function inferenceFacts(inference: InferenceInfo, model: ModelInfo | undefined): InferenceFacts {
  return {
    api: inference.api,
    stream: inference.stream,
    tools: inference.toolCount,
    maxTokens: inference.maxTokens ?? model?.maxOutputTokens,
    n: inference.n,
  };
}

/**
 * An authorization request from its parts. For a model action without a model, the resource is the
 * endpoint and `model` is listed as missing (likewise `inference`).
 *
 * @example
 * const request = authorizationRequest({ principal, tenant, action: 'inference:chat', model, inference });
 * const decision = await provider.decide(request);
 */
export function authorizationRequest(parts: AuthorizationRequestParts): AuthorizationRequest {
  const { principal, model, inference, action } = parts;
  const method = (parts.method ?? 'POST').toUpperCase();
  const path = parts.path ?? '/';
  const modelAction = isModelAction(action);
  const derived: PolicyFact[] = [];
  if (modelAction && model === undefined) derived.push('model');
  if (modelAction && inference === undefined) derived.push('inference');
  const env = principal.claims['env'];
  return {
    principal,
    tenant: parts.tenant,
    action,
    resource: modelAction && model !== undefined ? { type: 'model', id: model.name, model } : { type: 'endpoint', id: path, method },
    context: {
      method,
      path,
      environment: typeof env === 'string' ? env : undefined,
      inference: modelAction && inference !== undefined ? inferenceFacts(inference, model) : undefined,
    },
    missing: parts.missing ?? derived,
  };
}

/**
 * The authorization request for a request in a pipeline: the tenant counts as missing when
 * resolveTenant has not run, the model and inference facts when validateRequest has not.
 *
 * @example
 * const request = authorizationRequestOf(context, principal, 'inference:chat');
 */
export function authorizationRequestOf(context: TgContext, principal: Principal, action: string, model: ModelInfo | undefined = context.model): AuthorizationRequest {
  const missing: PolicyFact[] = [];
  if (!context.completedSteps.includes('resolveTenant')) missing.push('tenant');
  if (isModelAction(action) && model === undefined) missing.push('model');
  if (isModelAction(action) && context.inference === undefined) missing.push('inference');
  return authorizationRequest({
    principal,
    tenant: context.tenant,
    action,
    model,
    inference: context.inference,
    method: context.request.method,
    path: context.request.path,
    missing,
  });
}
