// Test support: runs validateRequest in a real pipeline on a raw body, the way an adapter would hand it over.
import type { ContextHandle } from '../context/tg-context.js';
import type { RenderedResponse } from '../errors/render-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { Step } from '../pipeline/step.js';
import type { ValidateRequestOptions } from './validate-request-options.js';
import { validateRequest } from './validate-request.js';

/** What a test request looks like: a body (text or a value to serialise) and where it goes. */
export interface TestRequest {
  readonly body?: string | object;
  readonly path?: string;
  readonly method?: string;
  readonly contentType?: string;
  /** Sets `context.tenant` with this tier before validateRequest runs. */
  readonly tier?: string;
}

/** The outcome: the rendered refusal (parsed), or the context the handler would get. */
export interface TestOutcome {
  readonly response: (RenderedResponse & { json: { error: Record<string, unknown> } }) | undefined;
  readonly handle: ContextHandle;
}

/**
 * Builds a pipeline of a tenant-setting step and validateRequest, and a function sending requests to it.
 *
 * @example
 * const send = testPipeline({ models: { 'gpt-4o': {} } });
 * const { response } = await send({ body: { model: 'gpt-4o', messages: [] } });
 */
export function testPipeline(options: ValidateRequestOptions, pipelineOptions: { maxBytes?: number } = {}) {
  const step = validateRequest(options);
  const tenant: Step = {
    name: 'testTenant',
    requires: [],
    run(context) {
      const tier = context.request.header('x-test-tier');
      if (tier !== undefined) context.tenant = { id: 't1', status: 'active', tier, tags: [] };
    },
  };
  const pipeline = createPipeline({ steps: [tenant, step], ...(pipelineOptions.maxBytes === undefined ? {} : { body: { maxBytes: pipelineOptions.maxBytes } }) });
  const send = async (request: TestRequest): Promise<TestOutcome> => {
    const text = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const headers: Record<string, string> = { 'content-type': request.contentType ?? 'application/json' };
    if (request.tier !== undefined) headers['x-test-tier'] = request.tier;
    const handle = pipeline.start({
      method: request.method ?? 'POST',
      path: request.path ?? '/v1/chat/completions',
      headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]!]),
      remoteAddress: '127.0.0.1',
      body: () => (text === undefined ? { kind: 'none' } : { kind: 'raw', chunks: async function* () { yield new TextEncoder().encode(text); } }),
    });
    const rendered = await pipeline.run(handle);
    const response = rendered === undefined ? undefined : { ...rendered, json: JSON.parse(rendered.body) as { error: Record<string, unknown> } };
    return { response, handle };
  };
  return Object.assign(send, { step, pipeline });
}

/** A chat body with one user message. */
export function chat(content: string, extra: Record<string, unknown> = {}, model = 'gpt-4o'): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content }], ...extra };
}
