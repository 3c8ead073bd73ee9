// gate(): the usual chain in the usual order, built from options (or from loadConfig).
import { authenticate, type AuthenticateOptions, type AuthenticateStep } from './authenticate/authenticate.js';
import { ConfigError } from './errors/tollgate-error.js';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline/pipeline.js';
import type { Step } from './pipeline/step.js';

/** Options of {@link gate}: the shared pipeline options plus one entry per step. */
export interface GateOptions extends Omit<PipelineOptions, 'steps'> {
  /** Who may call. Required: a gate without authentication is a configuration mistake. */
  readonly authenticate: AuthenticateOptions | AuthenticateStep;
  /** Extra steps of the app's own, run after the built-in ones. @default [] */
  readonly steps?: readonly Step[];
}

/** A pipeline built by {@link gate}, with `close()` to release stores' watchers and timers. */
export interface Gate extends Pipeline {
  close(): Promise<void>;
}

function isStep(value: AuthenticateOptions | AuthenticateStep): value is AuthenticateStep {
  return typeof (value as Partial<AuthenticateStep>).run === 'function';
}

/**
 * Composes the chain: authenticate, then the app's own steps.
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
  const { steps: extra = [], authenticate: _authn, ...shared } = options;
  const pipeline = createPipeline({ ...shared, steps: [authn, ...extra] });
  return { ...pipeline, close: () => authn.close() };
}
