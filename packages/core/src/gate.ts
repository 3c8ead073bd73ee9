// gate(): the usual chain in the usual order, built from options (or from loadConfig).
import { authenticate, type AuthenticateOptions, type AuthenticateStep } from './authenticate/authenticate.js';
import { ConfigError } from './errors/tollgate-error.js';
import { inferenceLog as buildInferenceLog, type InferenceLogStep } from './inference-log/inference-log.js';
import type { InferenceLogOptions } from './inference-log/inference-log-options.js';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline/pipeline.js';
import { resolveTenant as buildResolveTenant, type ResolveTenantOptions } from './resolve-tenant/resolve-tenant.js';
import { authorize as buildAuthorize, type AuthorizeOptions } from './authorize/authorize.js';
import type { Step } from './pipeline/step.js';
import { validateRequest as buildValidateRequest } from './validate-request/validate-request.js';
import type { ValidateRequestOptions } from './validate-request/validate-request-options.js';

/** A step that holds resources (watchers, timers, connections) to release at shutdown. */
export interface ClosableStep extends Step {
  close?(): Promise<void>;
  /** Resolves once the step has loaded what it loads in the background (a Cedar engine, a store connection); rejects with why it cannot. */
  ready?(): Promise<void>;
}

/**
 * Options of {@link gate}: the shared pipeline options plus one entry per step of the request path.
 * Each step entry takes a built step (from its factory) and is optional except `authenticate`.
 */
export interface GateOptions extends Omit<PipelineOptions, 'steps'> {
  /** Who may call. Required: a gate without authentication is a configuration mistake. */
  readonly authenticate: AuthenticateOptions | AuthenticateStep;
  /**
   * Records every request, allowed or refused; runs first so that it sees refusals too. Takes the
   * step from `inferenceLog()` or its options; its strict-mode admission is placed before `rateLimit`.
   */
  readonly inferenceLog?: ClosableStep | InferenceLogOptions;
  /** Ties the caller to a tenant: the step from `resolveTenant()` or its options. */
  readonly resolveTenant?: ClosableStep | ResolveTenantOptions;
  /** Parses and checks the body, resolves the model: the step from `validateRequest()` or its options. */
  readonly validateRequest?: ClosableStep | ValidateRequestOptions;
  /** Allows or denies by policy: the step from `authorize()` or its options. */
  readonly authorize?: ClosableStep | AuthorizeOptions;
  /** Checks and reserves every limit. */
  readonly rateLimit?: ClosableStep;
  /** Extra steps of the app's own, run after the built-in ones. @default [] */
  readonly steps?: readonly ClosableStep[];
}

/** A pipeline built by {@link gate}, with `close()` to release stores' watchers and timers. */
export interface Gate extends Pipeline {
  close(): Promise<void>;
  /**
   * Resolves once every step is ready: a policy engine loaded in the background (`provider: cedar` in a
   * config file) and the Redis or Postgres stores a config file names, connected. Rejects with the first
   * failure: a ConfigError, or a StoreConnectionError naming the URL without its password. Until then
   * such a step fails closed (a store that cannot be reached answers 503, or its rules' outage policy).
   */
  ready(): Promise<void>;
}

/** A slot's value: the step as given, or built from its options. */
function stepOrBuild<O extends object>(value: ClosableStep | O | undefined, build: (options: O) => ClosableStep): ClosableStep | undefined {
  if (value === undefined) return undefined;
  return typeof (value as Partial<Step>).run === 'function' ? (value as ClosableStep) : build(value as O);
}

function isStep(value: AuthenticateOptions | AuthenticateStep): value is AuthenticateStep {
  return typeof (value as Partial<AuthenticateStep>).run === 'function';
}

/**
 * Composes the chain in DESIGN order: inferenceLog, authenticate, resolveTenant, validateRequest,
 * authorize, rateLimit, then the app's own steps.
 *
 * @example
 * const keys = memoryKeyStore();
 * const tg = gate({ authenticate: { methods: [apiKey({ store: keys })] } });
 * app.use('/v1', tollgate(tg));
 */
export function gate(options: GateOptions): Gate {
  if (options === null || typeof options !== 'object') throw new ConfigError('gate: options must be an object');
  if (options.authenticate === undefined) throw new ConfigError('gate: options.authenticate is required (which credentials are accepted)');
  const authn = isStep(options.authenticate) ? options.authenticate : authenticate(options.authenticate);
  const { steps: extra = [], authenticate: _a, inferenceLog, resolveTenant, validateRequest, authorize, rateLimit, ...shared } = options;
  const log = inferenceLog === undefined || typeof (inferenceLog as Partial<Step>).run === 'function' ? (inferenceLog as ClosableStep | undefined) : buildInferenceLog(inferenceLog as InferenceLogOptions);
  const admission = (log as Partial<InferenceLogStep> | undefined)?.admission;
  const tenantStep = stepOrBuild(resolveTenant, buildResolveTenant);
  const validateStep = stepOrBuild(validateRequest, buildValidateRequest);
  const authzStep = stepOrBuild(authorize, buildAuthorize);
  const builtIn = [log, authn, tenantStep, validateStep, authzStep, admission, rateLimit].filter((s): s is ClosableStep => s !== undefined);
  const steps: ClosableStep[] = [...builtIn, ...extra];
  const pipeline = createPipeline({ ...shared, steps });
  // Methods built from options may connect in the background too (a key store named in a config file).
  const methods = isStep(options.authenticate) ? [] : options.authenticate.methods;
  return {
    ...pipeline,
    async close() {
      await Promise.all(steps.map((step) => step.close?.()));
    },
    async ready() {
      await Promise.all([...steps.map((step) => step.ready?.()), ...methods.map((method) => method.ready?.())]);
    },
  };
}
