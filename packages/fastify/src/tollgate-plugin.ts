// The Fastify plugin: authentication in onRequest, body-reading steps at the parsing stage, one pipeline run, core's body for the handler.
import { abortOnDisconnect, ConfigError, finishOnClose, nodeRequestInput, pathWithoutQuery, type BodySource, type ContextHandle, type Pipeline, type RenderedResponse } from '@tollgate/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler, preValidationHookHandler } from 'fastify';
import { BodyHandoff } from './body-handoff.js';
import { routeChains, type TollgateChain } from './route-chains.js';

/** Options of the {@link tollgate} plugin. */
export interface TollgatePluginOptions {
  /** The chain that guards every route of the scope the plugin is registered in, unless a route's `config.tollgate` says otherwise. */
  readonly chain: TollgateChain;
}

/** A run that is waiting, between onRequest and preParsing, for the body a step asked for. */
interface WaitingForBody {
  readonly pipeline: Pipeline;
  readonly handle: ContextHandle;
  readonly run: Promise<RenderedResponse | undefined>;
  readonly body: BodyHandoff;
  /** Whether onRequest went on already: paused for the body, or answered after the whole run. */
  decided: boolean;
}

// On the request under a symbol, not in a WeakMap: an entry keyed by a short-lived object makes every
// young collection slower and drags the request into the old generation.
const waitingKey = Symbol('tollgate.waitingForBody');
type Waiting = FastifyRequest & { [waitingKey]?: WaitingForBody | undefined };
// The body handoff, for preValidation to give it Fastify's parsed body when no step read the body.
const handoffKey = Symbol('tollgate.bodyHandoff');
type WithHandoff = FastifyRequest & { [handoffKey]?: BodyHandoff };
// The registration that guards each route, so a route covered twice (nested scopes) fails at startup.
const guardedBy = new WeakMap<object, object>();

/** A step asked for the body: the run waits for preParsing, and the request goes on to be parsed. */
function pause(request: FastifyRequest, reply: FastifyReply, paused: WaitingForBody, next: () => void): void {
  (request as Waiting)[waitingKey] = paused;
  // Another hook answered before preParsing ran: the read fails, and the refusal only finishes.
  reply.raw.once('close', () => {
    if ((request as Waiting)[waitingKey] !== paused) return;
    (request as Waiting)[waitingKey] = undefined;
    paused.body.cancel();
    paused.run.then((refusal) => answer(request, reply, paused.pipeline, paused.handle, refusal), () => undefined);
  });
  next();
}

/** Sends a refusal or lets the request through; true when the request goes on. */
function answer(request: FastifyRequest, reply: FastifyReply, pipeline: Pipeline, handle: ContextHandle, refusal: RenderedResponse | undefined): boolean {
  finishOnClose(reply.raw, handle, pipeline, refusal === undefined);
  const { context } = handle;
  if (refusal !== undefined) {
    // Another hook may have answered already (the handoff was cancelled); then only finish runs.
    if (!reply.sent) reply.code(refusal.status).headers({ ...context.responseHeaders, ...refusal.headers }).send(Buffer.from(refusal.body));
    return false;
  }
  // On the Node response itself, so they are sent on hijacked replies too; the handler's reply.header() still wins.
  for (const [name, value] of Object.entries(context.responseHeaders)) reply.raw.setHeader(name, value);
  request.auth = context.principal;
  return true;
}

// Made outside onRequest, so the closure holds the handoff alone: one made inside would hold all of
// onRequest's scope (the reply included), and the context the request keeps reaches it. With a
// streamed answer that kept every finished request alive through young collections (design-notes).
function bodySourceOf(handoff: BodyHandoff): () => BodySource {
  return () => handoff.source();
}

/** The plugin body (wrapped with fastify-plugin in index.ts); a bad option fails registration with a ConfigError. */
export function tollgatePlugin(fastify: FastifyInstance, options: TollgatePluginOptions, done: (error?: Error) => void): void {
  try {
    register(fastify, options);
    done();
  } catch (error) {
    done(error as Error);
  }
}

function register(fastify: FastifyInstance, options: TollgatePluginOptions): void {
  const chains = routeChains(options?.chain);
  const registration = {};
  if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', undefined);
  if (!fastify.hasRequestDecorator('tollgate')) fastify.decorateRequest('tollgate', undefined);

  fastify.addHook('onRoute', (route) => {
    const where = `${String(route.method)} ${route.url}`;
    const owner = guardedBy.get(route);
    if (owner !== undefined && owner !== registration) {
      throw new ConfigError(`@tollgate/fastify: route ${where} is inside two scopes that register the plugin; register it once and use config.tollgate for route-specific chains`);
    }
    guardedBy.set(route, registration);
    chains.settle(route, where);
  });

  const onRequest: onRequestHookHandler = function tollgateOnRequest(request, reply, next) {
    const pipeline = chains.forRoute(request.routeOptions.config?.tollgate, `${request.method} ${request.routeOptions.url ?? request.url}`);
    if (pipeline === undefined) return next();
    // Steps before the first one that reads the body finish here, before Fastify reads a byte; that
    // one waits (paused) for preParsing to supply the payload.
    const body = new BodyHandoff(request.raw, () => {
      if (paused.decided) return;
      paused.decided = true;
      pause(request, reply, paused, next);
    });
    const handle = pipeline.start(nodeRequestInput(request.raw, { path: pathWithoutQuery(request.url), route: request.routeOptions.url, body: bodySourceOf(body) }));
    request.tollgate = handle.context;
    (request as WithHandoff)[handoffKey] = body;
    abortOnDisconnect(reply.raw, handle);
    const run = pipeline.run(handle);
    const paused: WaitingForBody = { pipeline, handle, run, body, decided: false };
    run.then(
      (refusal) => {
        body.release();
        if (paused.decided) return;
        paused.decided = true;
        if (answer(request, reply, pipeline, handle, refusal)) next();
      },
      (error: Error) => {
        body.release();
        if (paused.decided) return;
        paused.decided = true;
        next(error);
      },
    );
  };
  const preParsing: preParsingHookHandler = function tollgatePreParsing(request, reply, payload, next) {
    const paused = (request as Waiting)[waitingKey];
    if (paused === undefined) return next(null, payload);
    (request as Waiting)[waitingKey] = undefined;
    paused.body.supply(payload);
    paused.run.then((refusal) => {
      if (answer(request, reply, paused.pipeline, paused.handle, refusal)) next(null, paused.body.replay() ?? payload);
    }, next);
  };

  // Fastify parsed the replayed bytes; the handler and route schemas get the object core checked and
  // steps edited instead. When no step read the body, core's request reads Fastify's object later.
  const preValidation: preValidationHookHandler = function tollgatePreValidation(request, _reply, next) {
    const tgRequest = request.tollgate?.request;
    if (tgRequest === undefined) return next();
    if (!tgRequest.bodyRequested) {
      (request as WithHandoff)[handoffKey]?.useParsed(request.body);
      return next();
    }
    tgRequest.json().then((body) => {
      if (body !== undefined) request.body = body;
      next();
    }, () => next());
  };
  fastify.addHook('onRequest', onRequest);
  fastify.addHook('preParsing', preParsing);
  fastify.addHook('preValidation', preValidation);
}
