// @tollgate/express: runs a tollgate pipeline as Express 4/5 middleware; all behaviour lives in core.
import {
  abortOnDisconnect,
  createPipeline,
  finishOnClose,
  markPipeline,
  nodeRawBody,
  nodeRequestInput,
  pathWithoutQuery,
  type ContextHandle,
  type Pipeline,
  type Principal,
  type RenderedResponse,
  type RequestInput,
  type Step,
  type TgContext,
} from '@tollgate/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated caller, set by tollgate. */
      auth?: Principal;
      /** tollgate's per-request context (request id, decisions, usage, abort signal). */
      tollgate?: TgContext;
    }
  }
}

// The request's handle lives on the request under a symbol, not in a WeakMap: an entry keyed by a
// short-lived object makes every young collection slower and drags the request into the old generation.
const handleKey = Symbol('tollgate.handle');
type WithHandle = Request & { [handleKey]?: ContextHandle };

/** Core's view of an Express request: the full path, the matched route, and a body read only on demand. */
function requestInput(req: Request): RequestInput {
  return nodeRequestInput(req, {
    path: pathWithoutQuery(req.originalUrl ?? req.url),
    route: req.route === undefined ? undefined : `${req.baseUrl}${String((req.route as { path: unknown }).path)}`,
    // A body Express already parsed (express.json() before tollgate) is handed over as it is.
    body: () => (req.body !== undefined ? { kind: 'parsed', value: req.body as unknown } : nodeRawBody(req)),
  });
}

function send(res: Response, response: RenderedResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(response.body);
}

function isPipeline(value: Pipeline | Step | readonly Step[]): value is Pipeline {
  return typeof (value as Partial<Pipeline>).start === 'function';
}

/**
 * Express middleware for a pipeline (from `gate()` or `createPipeline()`), a single step or a list of
 * steps. Several tollgate middlewares on one request share one context, so `authenticate` on the app
 * and a stricter step on a route work together.
 *
 * @example
 * import { apiKey, gate, memoryKeyStore } from '@tollgate/core';
 * import { tollgate } from '@tollgate/express';
 * app.use('/v1', tollgate(gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } })));
 * app.post('/v1/chat/completions', (req, res) => res.json({ caller: req.auth?.subject }));
 */
export function tollgate(chain: Pipeline | Step | readonly Step[]): RequestHandler {
  const pipeline = isPipeline(chain) ? chain : createPipeline({ steps: Array.isArray(chain) ? chain : [chain as Step] });
  // Marked so that tools (the `tollgate evidence` command) can tell which routes this pipeline guards.
  return markPipeline(async function tollgateMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      let handle = (req as WithHandle)[handleKey];
      if (handle === undefined) {
        handle = pipeline.start(requestInput(req));
        (req as WithHandle)[handleKey] = handle;
        req.tollgate = handle.context;
        abortOnDisconnect(res, handle);
      }
      const failure = await pipeline.run(handle);
      finishOnClose(res, handle, pipeline, failure === undefined);
      const { context } = handle;
      for (const [name, value] of Object.entries(context.responseHeaders)) res.setHeader(name, value);
      if (failure !== undefined) {
        send(res, failure);
        return;
      }
      if (context.principal !== undefined) req.auth = context.principal;
      if (req.body === undefined && context.request.bodyRequested) req.body = await context.request.json();
      next();
    } catch (error) {
      next(error);
    }
  }, pipeline);
}

/** The tollgate context of a request, or undefined when no tollgate middleware ran. */
export function tollgateContext(req: Request): TgContext | undefined {
  return (req as WithHandle)[handleKey]?.context;
}
export { tollgateAdmin } from './admin-handler.js';
