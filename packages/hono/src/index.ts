// @tollgate/hono: runs a tollgate pipeline as Hono 4 middleware; all behaviour lives in core.
import { createPipeline, judgeHeldResponse, markPipeline, type ContextHandle, type Pipeline, type Principal, type RenderedResponse, type Step, type TgContext } from '@tollgate/core';
import type { Context, MiddlewareHandler } from 'hono';
import { handOverBody, honoRequestInput } from './request-input.js';
import { observedResponse, watchResponse } from './response-body.js';

/** The context variables tollgate sets: `c.get('auth')` and `c.get('tollgate')`. */
export interface TollgateVariables {
  /** The authenticated caller; undefined when the chain let an anonymous request through. */
  auth: Principal | undefined;
  /** tollgate's per-request context (request id, decisions, usage, abort signal). */
  tollgate: TgContext;
}

/** The Hono `Env` of apps and routes behind tollgate; merge it with your own bindings and variables. */
export interface TollgateEnv {
  Variables: TollgateVariables;
}

/** What {@link tollgate} accepts: a pipeline (e.g. from `gate()`), a step or a list of steps. */
export type TollgateChain = Pipeline | Step | readonly Step[];

const handles = new WeakMap<Request, ContextHandle>();

function isPipeline(value: TollgateChain): value is Pipeline {
  return typeof (value as Partial<Pipeline>).start === 'function';
}

function start(c: Context<TollgateEnv>, pipeline: Pipeline): ContextHandle {
  const existing = handles.get(c.req.raw);
  if (existing !== undefined) return existing;
  const handle = pipeline.start(honoRequestInput(c));
  handles.set(c.req.raw, handle);
  c.set('tollgate', handle.context);
  // The request's signal aborts when the client goes away (on Node, @hono/node-server wires it to the socket).
  const signal = c.req.raw.signal;
  if (signal.aborted) handle.abort('client disconnected');
  else signal.addEventListener('abort', () => handle.abort('client disconnected'), { once: true });
  return handle;
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  const merged = new Headers(response.headers);
  // The handler's own values win, as they do in the other adapters (tollgate sets its headers first there).
  for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
}

/**
 * Hono middleware for a pipeline (from `gate()` or `createPipeline()`), a single step or a list of
 * steps. Several tollgate middlewares on one request share one context.
 *
 * @example
 * import { apiKey, gate, memoryKeyStore } from '@tollgate/core';
 * import { tollgate, type TollgateEnv } from '@tollgate/hono';
 * const app = new Hono<TollgateEnv>();
 * app.use('/v1/*', tollgate(gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } })));
 * app.post('/v1/chat/completions', (c) => c.json({ caller: c.get('auth')?.subject }));
 */
export function tollgate(chain: TollgateChain): MiddlewareHandler<TollgateEnv> {
  const pipeline = isPipeline(chain) ? chain : createPipeline({ steps: Array.isArray(chain) ? chain : [chain as Step] });
  // Marked so that tools (the `tollgate evidence` command) can tell which routes this pipeline guards.
  return markPipeline<MiddlewareHandler<TollgateEnv>>(async function tollgateMiddleware(c, next) {
    const handle = start(c, pipeline);
    const { context } = handle;
    const refusal: RenderedResponse | undefined = await pipeline.run(handle);
    const observer = refusal === undefined ? pipeline.observe(handle) : undefined;
    let settled = false;
    const ended = (cut: boolean, status: number): void => {
      if (settled) return;
      settled = true;
      const outcome = { status, aborted: cut || c.req.raw.signal.aborted };
      // Observers read the whole body before the steps settle on it.
      observer?.end?.(outcome);
      void pipeline.finish(handle, outcome);
    };
    if (refusal !== undefined) {
      const response = new Response(refusal.body, { status: refusal.status, headers: { ...context.responseHeaders, ...refusal.headers } });
      return watchResponse(response, undefined, (cut) => ended(cut, refusal.status));
    }
    c.set('auth', context.principal);
    if (context.request.bodyRequested) {
      const body = await context.request.json();
      if (body !== undefined) handOverBody(c, body);
    }
    await next();
    const response = withHeaders(c.res, context.responseHeaders);
    // Nobody will read the body of a request whose client is gone: settle now.
    if (c.req.raw.signal.aborted) {
      ended(true, response.status);
      c.res = response;
      return;
    }
    const sent = await observedResponse(response, observer, (hold, overLimit) => judgeHeldResponse(pipeline, handle, hold, overLimit), ended);
    // Cleared first: Hono would copy the handler's headers onto a refusal that replaced its answer.
    c.res = undefined;
    c.res = sent;
    // A held answer took time: a client gone meanwhile will read nothing, so settle now.
    if (c.req.raw.signal.aborted) ended(true, c.res.status);
  }, pipeline);
}

/** The tollgate context of a request, or undefined when no tollgate middleware ran. */
export function tollgateContext(c: Context): TgContext | undefined {
  return handles.get(c.req.raw)?.context;
}
export { tollgateAdmin, type TollgateAdminOptions } from './admin-handler.js';
