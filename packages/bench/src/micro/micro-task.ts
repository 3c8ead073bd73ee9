// A microbenchmark task as the runner takes it, and the request context the step-level tasks share.
import { createPipeline, type ContextHandle, type Pipeline, type Step } from '@tollgate/core';
import { benchPath, chatRequestBody } from '../bench-request.js';

const rawBody = new TextEncoder().encode(JSON.stringify(chatRequestBody(false)));

/** One in-process measurement. */
export interface MicroTask {
  /** What is measured, e.g. `API key: verify, cache hit`. */
  readonly name: string;
  /** One operation; awaited when it returns a promise. */
  readonly run: () => unknown;
  /**
   * Called just before the task is timed; the function it returns is called just after and gives a
   * fact to print beside the timing (e.g. Redis round trips per call).
   */
  readonly observe?: () => () => string;
}

/** A group of tasks, and what of it cannot run here (a missing part, an absent service) and why. */
export interface MicroGroup {
  readonly tasks: readonly MicroTask[];
  readonly skipped: readonly string[];
  readonly close?: () => Promise<void>;
}

/**
 * Starts a request on a pipeline (or on one made of `steps`) as an adapter would: POST
 * /v1/chat/completions from loopback with `headers` and the bench body, already parsed or as bytes.
 *
 * @example
 * const { handle, pipeline } = startBenchRequest([authenticate({ methods })], { authorization: `Bearer ${key}` });
 * await pipeline.run(handle);
 */
export function startBenchRequest(steps: readonly Step[] | Pipeline, headers: Readonly<Record<string, string>>, body: 'parsed' | 'raw' = 'parsed'): { pipeline: Pipeline; handle: ContextHandle } {
  const pipeline = 'start' in steps ? steps : createPipeline({ steps });
  const lower = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).map(([name, value]) => [name.toLowerCase(), value]));
  const handle = pipeline.start({
    method: 'POST',
    path: benchPath,
    route: benchPath,
    headerValues: (name) => (lower[name] === undefined ? [] : [lower[name]]),
    remoteAddress: '127.0.0.1',
    // `raw` is what the Express and Fastify adapters hand over; `parsed` what Koa does after a body parser.
    body: () => (body === 'raw' ? { kind: 'raw', chunks: async function* chunks() { yield rawBody; } } : { kind: 'parsed', value: chatRequestBody(false) }),
  });
  return { pipeline, handle };
}
