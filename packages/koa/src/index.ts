// @tollgate/koa: runs a tollgate pipeline as Koa 2/3 middleware; all behaviour lives in core.
import {
  abortOnDisconnect,
  createPipeline,
  finishOnClose,
  markPipeline,
  nodeRawBody,
  nodeRequestInput,
  type BodySource,
  type ContextHandle,
  type Pipeline,
  type Principal,
  type Step,
  type TgContext,
} from '@tollgate/core';
import type { Middleware, ParameterizedContext } from 'koa';

/** What tollgate puts on `ctx.state`. */
export interface TollgateState {
  /** The authenticated caller; undefined when the chain let an anonymous request through. */
  auth?: Principal | undefined;
  /** tollgate's per-request context (request id, decisions, usage, abort signal). */
  tollgate?: TgContext | undefined;
}

declare module 'koa' {
  // Typed on every Koa app that imports @tollgate/koa, as Express's `req.auth` is.
  interface DefaultState extends TollgateState {}
}

/** What {@link tollgate} accepts: a pipeline (e.g. from `gate()`), a step or a list of steps. */
export type TollgateChain = Pipeline | Step | readonly Step[];

type KoaContext = ParameterizedContext<TollgateState>;
type WithBody = { body?: unknown };

// The request's handle lives on Node's request under a symbol, not in a WeakMap: an entry keyed by a
// short-lived object makes every young collection slower and drags the request into the old generation.
const handleKey = Symbol('tollgate.handle');
type WithHandle = { [handleKey]?: ContextHandle };

function isPipeline(value: TollgateChain): value is Pipeline {
  return typeof (value as Partial<Pipeline>).start === 'function';
}

/**
 * The request's body for core, decided when a step first asks (a later tollgate middleware on the
 * same request may be the first): what a body parser that ran before left on `ctx.request.body`, or
 * else the stream. It holds Koa's `ctx` only until the response has finished: the request's tollgate
 * context outlives the request here and there (a streamed answer's socket, the inference log's
 * queue), and through this it kept every finished request's whole Koa graph alive into the old
 * generation (`koa/full-stream` promoted 1.8 MB per young collection, 0.7 MB once dropped).
 */
class KoaBody {
  #ctx: KoaContext | undefined;

  constructor(ctx: KoaContext) {
    this.#ctx = ctx;
    ctx.res.once('finish', () => this.drop());
  }

  /** Set in the constructor, so that core can call it unbound. */
  readonly read = (): BodySource => {
    const ctx = this.#ctx;
    // The response has finished: nothing is left to read the body for.
    if (ctx === undefined) return { kind: 'none' };
    const parsed = (ctx.request as WithBody).body;
    return parsed === undefined ? nodeRawBody(ctx.req) : { kind: 'parsed', value: parsed };
  };

  drop(): void {
    this.#ctx = undefined;
  }
}

function start(ctx: KoaContext, pipeline: Pipeline): ContextHandle {
  const existing = (ctx.req as WithHandle)[handleKey];
  if (existing !== undefined) return existing;
  // @koa/router sets _matchedRoute before route middleware runs; app-level middleware has no route yet.
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  const handle = pipeline.start(nodeRequestInput(ctx.req, { path: ctx.path, route: typeof matched === 'string' ? matched : undefined, body: new KoaBody(ctx).read }));
  (ctx.req as WithHandle)[handleKey] = handle;
  ctx.state.tollgate = handle.context;
  abortOnDisconnect(ctx.res, handle);
  return handle;
}

/**
 * Koa middleware for a pipeline (from `gate()` or `createPipeline()`), a single step or a list of
 * steps; works on Koa 2 and 3. Several tollgate middlewares on one request share one context, so
 * `authenticate` on the app and a stricter step on a router route work together.
 *
 * @example
 * import { apiKey, gate, memoryKeyStore } from '@tollgate/core';
 * import { tollgate } from '@tollgate/koa';
 * app.use(tollgate(gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } })));
 * app.use((ctx) => { ctx.body = { caller: ctx.state.auth?.subject }; });
 */
export function tollgate(chain: TollgateChain): Middleware<TollgateState> {
  const pipeline = isPipeline(chain) ? chain : createPipeline({ steps: Array.isArray(chain) ? chain : [chain as Step] });
  // Marked so that tools (the `tollgate evidence` command) can tell which routes this pipeline guards.
  return markPipeline<Middleware<TollgateState>>(async function tollgateMiddleware(ctx, next) {
    const handle = start(ctx, pipeline);
    const refusal = await pipeline.run(handle);
    finishOnClose(ctx.res, handle, pipeline, refusal === undefined);
    const { context } = handle;
    ctx.set(context.responseHeaders);
    if (refusal !== undefined) {
      ctx.status = refusal.status;
      ctx.body = refusal.body;
      // After the body, so Koa's guessed text/plain gives way to core's content type.
      ctx.set(refusal.headers);
      return;
    }
    ctx.state.auth = context.principal;
    const request = ctx.request as WithBody;
    if (request.body === undefined && context.request.bodyRequested) request.body = await context.request.json();
    await next();
  }, pipeline);
}

/** The tollgate context of a request, or undefined when no tollgate middleware ran. */
export function tollgateContext(ctx: { req: object }): TgContext | undefined {
  return (ctx.req as WithHandle)[handleKey]?.context;
}
export { tollgateAdmin, type TollgateAdminOptions } from './admin-handler.js';
