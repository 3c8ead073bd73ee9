// Which pipeline guards a Fastify route: the plugin's chain, the route's own, or none; checked at startup.
import { ConfigError, createPipeline, type Pipeline, type Step } from '@tollgate/core';

/** What the plugin and a route's `config.tollgate` accept: a pipeline (e.g. from `gate()`), a step or a list of steps. */
export type TollgateChain = Pipeline | Step | readonly Step[];

/** A route's `config.tollgate`: `false` leaves the route public; a chain replaces the plugin's for that route. */
export type TollgateRouteConfig = false | TollgateChain;

function isPipeline(value: unknown): value is Pipeline {
  const candidate = value as Partial<Pipeline> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.start === 'function' && typeof candidate.run === 'function';
}

function isStep(value: unknown): value is Step {
  const candidate = value as Partial<Step> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string' && typeof candidate.run === 'function';
}

/** Resolves chains to pipelines, building each step list once. */
export interface RouteChains {
  /** The pipeline for a route's `config.tollgate` value; undefined for a public route. Throws ConfigError on a bad value. */
  forRoute(value: unknown, where: string): Pipeline | undefined;
}

/**
 * Validates the plugin's chain and returns the per-route resolver.
 *
 * @example
 * const chains = routeChains(gate({ authenticate: { methods: [apiKey({ store })] } }));
 * chains.forRoute(false, 'GET /healthz'); // undefined: public
 */
export function routeChains(pluginChain: unknown): RouteChains {
  const built = new WeakMap<object, Pipeline>();
  const toPipeline = (value: unknown, where: string): Pipeline => {
    if (isPipeline(value)) return value;
    const cached = built.get(value as object);
    if (cached !== undefined) return cached;
    const steps = Array.isArray(value) ? (value as unknown[]) : [value];
    if (steps.length === 0 || !steps.every(isStep)) {
      throw new ConfigError(`@tollgate/fastify: ${where} must be a pipeline (from gate() or createPipeline()), a step or a non-empty list of steps`);
    }
    const pipeline = createPipeline({ steps });
    built.set(value as object, pipeline);
    return pipeline;
  };
  const fallback = toPipeline(pluginChain, 'options.chain');
  return {
    forRoute(value, where) {
      if (value === undefined) return fallback;
      if (value === false) return undefined;
      return toPipeline(value, `config.tollgate of ${where}`);
    },
  };
}
