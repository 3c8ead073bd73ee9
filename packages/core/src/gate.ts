// gate(): the usual chain in the usual order, built from options (or from loadConfig).
import { authenticate, type AuthenticateOptions, type AuthenticateStep } from './authenticate/authenticate.js';
import { ConfigError } from './errors/tollgate-error.js';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline/pipeline.js';
import type { Step } from './pipeline/step.js';

/** A step that holds resources (watchers, timers, connections) to release at shutdown. */
export interface ClosableStep extends Step {
  close?(): Promise<void>;
}

/**
 * Options of {@link gate}: the shared pipeline options plus one entry per step of the request path.
 * Each step entry takes a built step (from its factory) and is optional except `authenticate`.
 */
export interface GateOptions extends Omit<PipelineOptions, 'steps'> {
  /** Who may call. Required: a gate without authentication is a configuration mistake. */
  readonly authenticate: AuthenticateOptions | AuthenticateStep;
  /** Records every request, allowed or refused; runs first so that it sees refusals too. */
  readonly inferenceLog?: ClosableStep;
  /** Ties the caller to a tenant. */
  readonly resolveTenant?: ClosableStep;
  /** Parses and checks the body, resolves the model. */
  readonly validateRequest?: ClosableStep;
  /** Allows or denies by policy. */
  readonly authorize?: ClosableStep;
  /** Checks and reserves every limit. */
  readonly rateLimit?: ClosableStep;
  /** Extra steps of the app's own, run after the built-in ones. @default [] */
  readonly steps?: readonly ClosableStep[];
}

/** A pipeline built by {@link gate}, with `close()` to release stores' watchers and timers. */
export interface Gate extends Pipeline {
  close(): Promise<void>;
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
  const builtIn = [inferenceLog, authn, resolveTenant, validateRequest, authorize, rateLimit].filter((s): s is ClosableStep => s !== undefined);
  const steps: ClosableStep[] = [...builtIn, ...extra];
  const pipeline = createPipeline({ ...shared, steps });
  return {
    ...pipeline,
    async close() {
      await Promise.all(steps.map((step) => step.close?.()));
    },
  };
}
