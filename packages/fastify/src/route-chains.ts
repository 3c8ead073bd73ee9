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

/** The part of Fastify's route options the plugin reads and writes when a route is registered. */
export interface RouteConfigHolder {
  config?: { tollgate?: unknown } | undefined;
}

/** Resolves chains to pipelines, building each step list once. */
export interface RouteChains {
  /** The pipeline for a route's `config.tollgate` value; undefined for a public route. Throws ConfigError on a bad value. */
  forRoute(value: unknown, where: string): Pipeline | undefined;
  /**
   * Resolves a route's chain when Fastify registers it (onRoute) and records the outcome in the route's
   * config: `config.tollgate` becomes the pipeline that guards it, or `false`. onRequest reads it back as
   * it is, and tools (`tollgate evidence`) read from Fastify's route table which pipeline guards each
   * route. The caller's config object is copied, never changed. Throws ConfigError on a bad value.
   */
  settle(route: RouteConfigHolder, where: string): void;
}

/**
 * Validates the plugin's chain and returns the per-route resolver.
 *
 * @example
 * const chains = routeChains(gate({ authenticate: { methods: [apiKey({ store })] } }));
 * chains.forRoute(false, 'GET /healthz'); // undefined: public
 * chains.settle(routeOptions, 'POST /v1/chat/completions'); // routeOptions.config.tollgate: the pipeline
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
  const forRoute = (value: unknown, where: string): Pipeline | undefined => {
    if (value === undefined) return fallback;
    if (value === false) return undefined;
    return toPipeline(value, `config.tollgate of ${where}`);
  };
  return {
    forRoute,
    settle(route, where) {
      route.config = { ...route.config, tollgate: forRoute(route.config?.tollgate, where) ?? false };
    },
  };
}
