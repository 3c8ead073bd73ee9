// The per-request context: request id, caller, tenant, decisions and usage, shared by every step.
import type { ErrorCode } from '../errors/codes.js';
import type { TgRequest } from '../request/tg-request.js';
import type { AuthMethodName, InferenceInfo, ModelInfo, Principal, Tenant, Usage } from './principal.js';
import { parsedEventsKey, type ParsedEvents } from '../usage/parsed-events.js';

/** What authentication decided, for the inference record. */
export interface AuthnDecision {
  readonly outcome: 'allow' | 'deny';
  readonly method?: AuthMethodName;
  readonly keyId?: string;
  /** Whether a cached verification answered (no argon2, no signature check). */
  readonly cached?: boolean;
  /** The error code for a denial. */
  readonly reason?: ErrorCode;
}

/** What resolveTenant decided, for the inference record. */
export interface TenantDecision {
  /** `none`: no tenant applies (an anonymous caller, or a tenant-less principal where none is required). */
  readonly outcome: 'allow' | 'deny' | 'none';
  readonly tenantId?: string;
  /** Where the tenant id came from: the credential, or the tenant header of a multi-tenant principal. */
  readonly source?: 'principal' | 'header';
  /** Whether the tenant cache answered (no store call). */
  readonly cached?: boolean;
  /** The error code for a denial. */
  readonly reason?: ErrorCode;
}

/** An obligation of a policy decision that authorize carried out. */
export interface AppliedObligation {
  readonly type: 'fallback-model';
  /** The model the client asked for (as resolved) and the one the request was routed to. */
  readonly from: string;
  readonly to: string;
  /** The rule that asked for the fallback. */
  readonly rule: string;
}

/** What authorize decided, for the inference record and for `explain`. */
export interface AuthzDecision {
  readonly allow: boolean;
  /** The rule that decided (`default-deny` when none matched). */
  readonly rule: string;
  /** The policy provider that answered (`rbac`, `cedar`, `authzen`, …). */
  readonly provider: string;
  /** The action asked about, e.g. `inference:chat`. */
  readonly action: string;
  /** A client-safe reason, when the provider gave one. */
  readonly reason?: string;
  readonly obligations?: readonly AppliedObligation[];
  /** Whether a decision cache answered (remote policy decision points). */
  readonly cached?: boolean;
  /** Set when no decision could be had (PDP down, missing step): the code the request was refused with. */
  readonly error?: ErrorCode;
}

/** Every decision taken for a request, by step. Later steps add their own entries. */
export interface Decisions {
  authn?: AuthnDecision;
  tenant?: TenantDecision;
  authz?: AuthzDecision;
  /** Set when a step refused the request: which step, and with what. */
  refusal?: { readonly step: string; readonly code: ErrorCode; readonly status: number };
  /** Set when a step withheld the handler's answer and a refusal was sent instead (the model was called: usage is charged). */
  blocked?: { readonly step: string; readonly code: ErrorCode; readonly status: number };
  [step: string]: unknown;
}

/** A request's context as steps and handlers see it. */
export interface TgContext {
  readonly requestId: string;
  readonly request: TgRequest;
  /** The client address after the trusted-proxy rules; undefined when unknown. */
  readonly clientIp: string | undefined;
  /**
   * True when the socket peer is a trusted proxy under the pipeline's `trustProxy` rules, so headers it
   * adds (forwarded client IP, forwarded client certificate) may be believed.
   */
  readonly peerTrusted: boolean;
  /** `performance.now()` when the request entered tollgate. */
  readonly startedAt: number;
  principal: Principal | undefined;
  tenant: Tenant | undefined;
  /** The resolved model, set by `validateRequest` (and rewritten by a policy's fallback obligation). */
  model: ModelInfo | undefined;
  /** What the request asks for, set by `validateRequest`. */
  inference: InferenceInfo | undefined;
  readonly decisions: Decisions;
  /** Usage reported so far (by a handler or read from the response). */
  readonly usage: Usage | undefined;
  /**
   * Reports the model usage of this request explicitly, for responses tollgate cannot read.
   * Repeated calls replace the previous value. A method: call it on the context
   * (`context.recordUsage(usage)`), not detached from it.
   */
  recordUsage(usage: Usage): void;
  /** Fires when the client disconnects or tollgate cuts the request off; pass it to the upstream call. */
  readonly signal: AbortSignal;
  /** Headers tollgate wants on the response (rate-limit headers, request id). */
  readonly responseHeaders: Record<string, string>;
  /** Names of the steps that have completed, in order. */
  readonly completedSteps: readonly string[];
}

/** The adapter's handle on a context: the context plus the controls only adapters use. */
export interface ContextHandle {
  readonly context: TgContext;
  /** Aborts the context's signal (client gone, stream cut off). */
  abort(reason: string): void;
  /** Marks a step as done. */
  complete(step: string): void;
}

/** Builds a context; used by the pipeline. */
export function createContext(init: {
  requestId: string;
  request: TgRequest;
  clientIp: string | undefined;
  requestIdHeader: string;
  /** @default false */
  peerTrusted?: boolean;
}): ContextHandle {
  return new RequestHandle(new RequestContext(init.requestId, init.request, init.clientIp, init.peerTrusted ?? false, { [init.requestIdHeader]: init.requestId }));
}

const abortKey = Symbol('tollgate.abortRequest');

// Classes rather than object literals with getters and closures: one request makes one of each, and a
// literal's accessors and methods are new functions every time (measurably slower to build and collect).
class RequestContext implements TgContext {
  readonly startedAt = performance.now();
  principal: Principal | undefined = undefined;
  tenant: Tenant | undefined = undefined;
  model: ModelInfo | undefined = undefined;
  inference: InferenceInfo | undefined = undefined;
  readonly decisions: Decisions = {};
  readonly completedSteps: string[] = [];
  // Declared here (internal, not in TgContext) so that every context keeps one shape when a stream shares it.
  [parsedEventsKey]: ParsedEvents | undefined = undefined;
  #usage: Usage | undefined = undefined;
  // Made on first use: most requests end without anyone reading the signal or aborting.
  #controller: AbortController | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly request: TgRequest,
    readonly clientIp: string | undefined,
    readonly peerTrusted: boolean,
    readonly responseHeaders: Record<string, string>,
  ) {}

  get usage(): Usage | undefined {
    return this.#usage;
  }

  recordUsage(next: Usage): void {
    if (!isUsage(next)) throw new TypeError('recordUsage expects { inputTokens, outputTokens } as whole numbers >= 0');
    this.#usage = { inputTokens: next.inputTokens, outputTokens: next.outputTokens };
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** For the handle only (a module-private key, not part of TgContext): steps and handlers do not abort their own request. */
  [abortKey](reason: string): void {
    (this.#controller ??= new AbortController()).abort(new Error(reason));
  }
}

class RequestHandle implements ContextHandle {
  constructor(readonly context: RequestContext) {}

  abort(reason: string): void {
    this.context[abortKey](reason);
  }

  complete(step: string): void {
    this.context.completedSteps.push(step);
  }
}

function isUsage(value: unknown): value is Usage {
  if (typeof value !== 'object' || value === null) return false;
  const { inputTokens, outputTokens } = value as Record<string, unknown>;
  return [inputTokens, outputTokens].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
}
