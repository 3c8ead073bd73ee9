// The contract between authorize and a policy engine (RBAC, Cedar, a remote AuthZEN PDP, or the app's own).
import type { ModelInfo, Principal, Tenant } from '../context/principal.js';

/**
 * Facts a decision may need that an earlier step provides: `model` and `inference` come from
 * validateRequest, `tenant` from resolveTenant.
 */
export type PolicyFact = 'model' | 'inference' | 'tenant';

/** The model an inference request is for. */
export interface ModelResource {
  readonly type: 'model';
  /** The model's canonical name. */
  readonly id: string;
  readonly model: ModelInfo;
}

/** The route of a request that is not about a model (admin routes), or whose model is not known. */
export interface EndpointResource {
  readonly type: 'endpoint';
  /** The request path, e.g. `/admin/keys/k_123`. */
  readonly id: string;
  readonly method: string;
}

/** What the request asks for beyond the action and resource (from validateRequest, when it ran). */
export interface InferenceFacts {
  readonly api: string;
  readonly stream: boolean;
  /** Number of tools offered to the model. */
  readonly tools: number;
  /** The output cap: the request's `max_tokens` (or equivalent), else the model's own cap; undefined when neither is known. */
  readonly maxTokens: number | undefined;
  /** Choices requested (`n`). */
  readonly n: number;
}

/** The question authorize asks a provider. */
export interface AuthorizationRequest {
  readonly principal: Principal;
  /** The tenant the request acts for; undefined when there is none (or resolveTenant did not run: see `missing`). */
  readonly tenant: Tenant | undefined;
  /** What is being done, e.g. `inference:chat`, `admin:keys`. */
  readonly action: string;
  readonly resource: ModelResource | EndpointResource;
  readonly context: {
    readonly method: string;
    readonly path: string;
    /** The credential's environment (`live`, `test`), from the principal's `env` claim. */
    readonly environment: string | undefined;
    readonly inference: InferenceFacts | undefined;
  };
  /**
   * Facts that are absent because the step providing them is not in the chain. A provider whose answer
   * depends on one of them must deny with `missing` set, never guess.
   */
  readonly missing: readonly PolicyFact[];
}

/** Something the decision asks authorize to do: route the request to another model instead of denying it. */
export interface FallbackModelObligation {
  readonly type: 'fallback-model';
  /** The model to use instead (a registry name). */
  readonly model: string;
}

/** Obligations a decision may carry. */
export type Obligation = FallbackModelObligation;

/** A provider's answer. */
export interface PolicyDecision {
  readonly allow: boolean;
  /** The id of the rule that decided; `default-deny` when no rule allowed. Shown to the client on a denial. */
  readonly rule: string;
  /** A client-safe explanation (never another tenant's data). */
  readonly reason?: string;
  /** The request field at fault (`max_tokens`, `stream`, …), for a denial by a constraint. */
  readonly param?: string;
  /**
   * On a denial: answer as if the model did not exist (the same response as an unknown model), so a
   * caller cannot learn that another tenant's model exists.
   */
  readonly conceal?: boolean;
  /** On a denial: the scope whose absence decided it; rendered as `insufficient_scope`. */
  readonly requiredScope?: string;
  /**
   * On a denial: the facts it depended on that were missing. authorize answers 500 naming the step
   * that provides them, since the policy cannot be applied as written.
   */
  readonly missing?: readonly PolicyFact[];
  /**
   * On a denial: `fallback-model` asks authorize to route to that model instead, if the provider allows
   * the same request for it. Obligations on an allow are not defined yet and make authorize fail closed.
   */
  readonly obligations?: readonly Obligation[];
  /** Whether a decision cache answered. */
  readonly cached?: boolean;
}

/** One rule a provider looked at while deciding, for {@link PolicyProvider.explain}. */
export interface ExplanationStep {
  readonly rule: string;
  /** What the rule would do when it applies. */
  readonly effect: 'permit' | 'forbid' | 'fallback' | 'info';
  /** Whether it applied to this request. */
  readonly applies: boolean;
  /** Why it did or did not apply, in words. */
  readonly why: string;
}

/** Why a provider decided as it did. */
export interface Explanation {
  readonly decision: PolicyDecision;
  readonly steps: readonly ExplanationStep[];
}

/**
 * A policy engine. `decide` must be pure with respect to the request (the same question gets the same
 * answer until the policy changes), cheap, and must throw only when it cannot answer at all: authorize
 * turns a throw into a 503 (a provider that is down) or a 500, never into an allow.
 */
export interface PolicyProvider {
  /** Short name recorded with every decision: `rbac`, `cedar`, `authzen`, … */
  readonly name: string;
  /**
   * Facts the provider always needs for model actions (a remote PDP cannot say which facts it used).
   * authorize answers 500 before asking when one is missing. @default []
   */
  readonly requiresFacts?: readonly PolicyFact[];
  /** Whether its decisions may ask for a fallback model (so authorize can insist on a model lookup at startup). */
  readonly mayRouteModels?: boolean;
  decide(request: AuthorizationRequest): PolicyDecision | Promise<PolicyDecision>;
  /** The decision and the rules considered. Providers without it are explained by their decision alone. */
  explain?(request: AuthorizationRequest): Explanation | Promise<Explanation>;
  /** Releases watchers, timers and connections. */
  close?(): Promise<void>;
}
