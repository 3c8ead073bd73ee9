// @tollgate/hono: runs a tollgate pipeline as Hono 4 middleware; all behaviour lives in core.
import { abortOnDisconnect, createPipeline, finishOnClose, judgeHeldResponse, markPipeline, type ContextHandle, type Pipeline, type Principal, type RenderedResponse, type Step, type TgContext } from '@tollgate/core';
import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { handOverBody, honoRequestInput, nodeOutgoing } from './request-input.js';
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

// The request's handle lives on the request under a symbol, not in a WeakMap: an entry keyed by a
// short-lived object makes every young collection slower and drags the request into the old generation.
const handleKey = Symbol('tollgate.handle');
type WithHandle = Request & { [handleKey]?: ContextHandle };

function isPipeline(value: TollgateChain): value is Pipeline {
  return typeof (value as Partial<Pipeline>).start === 'function';
}

function start(c: Context<TollgateEnv>, pipeline: Pipeline): ContextHandle {
  const raw = c.req.raw as WithHandle;
  const existing = raw[handleKey];
  if (existing !== undefined) return existing;
  const handle = pipeline.start(honoRequestInput(c));
  raw[handleKey] = handle;
  c.set('tollgate', handle.context);
  const outgoing = nodeOutgoing(c);
  // On Node the response's close tells; reading the Fetch request's signal would build the whole Fetch request.
  if (outgoing !== undefined) {
    abortOnDisconnect(outgoing, handle);
    return handle;
  }
  // The request's signal aborts when the client goes away.
  const signal = raw.signal;
  if (signal.aborted) handle.abort('client disconnected');
  else signal.addEventListener('abort', () => handle.abort('client disconnected'), { once: true });
  return handle;
}

/** Off Node: whether the client went away before its response was complete (the Fetch request's signal). */
function clientGone(c: Context): boolean {
  return c.req.raw.signal.aborted;
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  const merged = new Headers(response.headers);
  // The handler's own values win, as they do in the other adapters (tollgate sets its headers first there).
  for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
}

/**
 * On Node (HTTP/1): the steps observe the Node response itself, as in the Express and Fastify adapters
 * (every body byte, held answers included), and settle when it closes; the Fetch response goes out as
 * it is, on @hono/node-server's fast path (its head and body in one write, no stream in between).
 * tollgate's headers go on the Node response first, so the handler's own values win when it writes its head.
 */
async function passOnNode(c: Context<TollgateEnv>, next: Next, pipeline: Pipeline, handle: ContextHandle, outgoing: ServerResponse, refusal: RenderedResponse | undefined): Promise<Response | undefined> {
  const { context } = handle;
  finishOnClose(outgoing, handle, pipeline, refusal === undefined);
  if (refusal !== undefined) return new Response(refusal.body, { status: refusal.status, headers: { ...context.responseHeaders, ...refusal.headers } });
  for (const [name, value] of Object.entries(context.responseHeaders)) outgoing.setHeader(name, value);
  c.set('auth', context.principal);
  if (context.request.bodyRequested) {
    const body = await context.request.json();
    if (body !== undefined) handOverBody(c, body);
  }
  await next();
  return undefined;
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
    const outgoing = nodeOutgoing(c);
    if (outgoing !== undefined) return passOnNode(c, next, pipeline, handle, outgoing, refusal);
    // Elsewhere (Bun, Deno, workers, HTTP/2): the Fetch response's body is watched on its way out.
    const observer = refusal === undefined ? pipeline.observe(handle) : undefined;
    let settled = false;
    const ended = (cut: boolean, status: number): void => {
      if (settled) return;
      settled = true;
      const outcome = { status, aborted: cut || clientGone(c) };
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
    if (clientGone(c)) {
      ended(true, response.status);
      c.res = response;
      return;
    }
    const sent = await observedResponse(response, observer, (hold, overLimit) => judgeHeldResponse(pipeline, handle, hold, overLimit), ended);
    // Cleared first: Hono would copy the handler's headers onto a refusal that replaced its answer.
    c.res = undefined;
    c.res = sent;
    // A held answer took time: a client gone meanwhile will read nothing, so settle now.
    if (clientGone(c)) ended(true, c.res.status);
  }, pipeline);
}

/** The tollgate context of a request, or undefined when no tollgate middleware ran. */
export function tollgateContext(c: Context): TgContext | undefined {
  return (c.req.raw as WithHandle)[handleKey]?.context;
}
export { tollgateAdmin, type TollgateAdminOptions } from './admin-handler.js';
