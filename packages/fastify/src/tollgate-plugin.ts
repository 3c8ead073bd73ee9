// The Fastify plugin: authentication in onRequest, body-reading steps at the parsing stage, one pipeline run, core's body for the handler.
import { abortOnDisconnect, ConfigError, finishOnClose, nodeRequestInput, pathWithoutQuery, type ContextHandle, type Pipeline, type RenderedResponse } from '@tollgate/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler, preValidationHookHandler } from 'fastify';
import { bodyHandoff, type BodyHandoff } from './body-handoff.js';
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
}

const waiting = new WeakMap<FastifyRequest, WaitingForBody>();
const bodyWanted: unique symbol = Symbol('body wanted');
// The registration that guards each route, so a route covered twice (nested scopes) fails at startup.
const guardedBy = new WeakMap<object, object>();

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
    const body = bodyHandoff(request.raw);
    const handle = pipeline.start(nodeRequestInput(request.raw, { path: pathWithoutQuery(request.url), route: request.routeOptions.url, body: body.source }));
    request.tollgate = handle.context;
    abortOnDisconnect(reply.raw, handle);
    const run = pipeline.run(handle);
    // Steps before the first one that reads the body finish here, before Fastify reads a byte.
    Promise.race([run, body.wanted.then(() => bodyWanted)]).then((first) => {
      if (typeof first === 'symbol') {
        const paused = { pipeline, handle, run, body };
        waiting.set(request, paused);
        // Another hook answered before preParsing ran: the read fails, and the refusal only finishes.
        reply.raw.once('close', () => {
          if (waiting.get(request) !== paused) return;
          waiting.delete(request);
          body.cancel();
          run.then((refusal) => answer(request, reply, pipeline, handle, refusal), () => undefined);
        });
        next();
      } else if (answer(request, reply, pipeline, handle, first)) next();
    }, next);
  };

  const preParsing: preParsingHookHandler = function tollgatePreParsing(request, reply, payload, next) {
    const paused = waiting.get(request);
    if (paused === undefined) return next(null, payload);
    waiting.delete(request);
    paused.body.supply(payload);
    paused.run.then((refusal) => {
      if (answer(request, reply, paused.pipeline, paused.handle, refusal)) next(null, paused.body.replay() ?? payload);
    }, next);
  };

  // Fastify parsed the replayed bytes; the handler and route schemas get the object core checked and steps edited instead.
  const preValidation: preValidationHookHandler = function tollgatePreValidation(request, _reply, next) {
    const tgRequest = request.tollgate?.request;
    if (tgRequest === undefined || !tgRequest.bodyRequested) return next();
    tgRequest.json().then((body) => {
      if (body !== undefined) request.body = body;
      next();
    }, () => next());
  };
  fastify.addHook('onRequest', onRequest);
  fastify.addHook('preParsing', preParsing);
  fastify.addHook('preValidation', preValidation);
}
