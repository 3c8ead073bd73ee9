// Lets tools find the pipeline behind a framework middleware (the evidence command lists routes and their auth).
import type { Pipeline } from './pipeline.js';

const marker = Symbol.for('tollgate.pipeline');

/**
 * Attaches a pipeline to the middleware an adapter returns, without changing how it runs.
 *
 * @example
 * return markPipeline(tollgateMiddleware, pipeline);
 */
export function markPipeline<T extends object>(middleware: T, pipeline: Pipeline): T {
  Object.defineProperty(middleware, marker, { value: pipeline, enumerable: false });
  return middleware;
}

/**
 * The pipeline an adapter attached to a middleware, or undefined for any other function.
 *
 * @example
 * const pipeline = pipelineOf(layer.handle);
 * pipeline?.steps.map((s) => s.name) // ['inferenceLog', 'authenticate', …]
 */
export function pipelineOf(middleware: unknown): Pipeline | undefined {
  if ((typeof middleware !== 'function' && typeof middleware !== 'object') || middleware === null) return undefined;
  const pipeline = (middleware as { [marker]?: unknown })[marker];
  return typeof pipeline === 'object' && pipeline !== null && Array.isArray((pipeline as Pipeline).steps) ? (pipeline as Pipeline) : undefined;
}
