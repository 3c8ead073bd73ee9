// The example gateway app: public /healthz, every /v1 path behind tollgate, one log line per request.
import Koa, { type Middleware } from 'koa';
import type OpenAI from 'openai';
import type { Logger } from 'pino';
import { markPipeline, pipelineOf, type Gate } from '@tollgate/core';
import { tollgate } from '@tollgate/koa';
import { inferenceRoutes, openAiError } from './routes.js';

export interface GatewayAppOptions {
  readonly gate: Gate;
  readonly openai: OpenAI;
  readonly logger: Logger;
}

/** Runs `middleware` for `prefix` and everything under it, unknown paths included (Koa has no mount paths of its own). */
function underPrefix(prefix: string, middleware: Middleware): Middleware {
  const scoped: Middleware = (ctx, next) => (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, next) : next());
  // Keeps tollgate's mark, so that `tollgate evidence` sees the pipeline in front of the routes after it.
  const pipeline = pipelineOf(middleware);
  return pipeline === undefined ? scoped : markPipeline(scoped, pipeline);
}

/**
 * Builds the app. Copy this file as a starting point: the only tollgate lines are the `tollgate(gate)`
 * middleware on `/v1` and the use of `ctx.state.auth` / `ctx.state.tollgate` in the handlers.
 */
export function createGatewayApp({ gate, openai, logger }: GatewayAppOptions): Koa {
  const app = new Koa();
  // DECIDE: Koa's `proxy` setting only affects `ctx.ip`; tollgate decides the client IP from `trustProxy`
  // in tollgate.yaml, so configure proxies there (one setting, in one place).
  app.silent = true;

  // One line per request, when the response has ended (streams included, with their usage).
  // Never log headers wholesale: Authorization and x-api-key carry secrets.
  app.use(async (ctx, next) => {
    const started = performance.now();
    ctx.res.once('close', () => {
      const context = ctx.state.tollgate;
      logger.info({
        request_id: context?.requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.res.statusCode,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        key_id: ctx.state.auth?.keyId,
        tenant_id: ctx.state.auth?.tenantId,
        user_id: ctx.state.auth?.subject,
        auth: context?.decisions.authn?.outcome,
        auth_reason: context?.decisions.authn?.reason,
        input_tokens: context?.usage?.inputTokens,
        output_tokens: context?.usage?.outputTokens,
        ip: context?.clientIp,
      }, 'request');
    });
    await next();
  });

  // Errors in OpenAI's shape: the body parser's 4xx as they are, anything else as a 502.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = openAiError((error as Error).message, 'invalid_request_error', 'invalid_body');
        return;
      }
      logger.error({ request_id: ctx.state.tollgate?.requestId, err: { type: (error as Error).name, message: (error as Error).message } }, 'unhandled error');
      ctx.status = 502;
      ctx.body = openAiError('The upstream model call failed.', 'upstream_error', 'upstream_failed');
    }
  });

  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') ctx.body = { status: 'ok' };
    else await next();
  });

  app.use(underPrefix('/v1', tollgate(gate)));
  const v1 = inferenceRoutes(openai);
  app.use(v1.routes());
  app.use(v1.allowedMethods());

  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = openAiError('Not found.', 'invalid_request_error', 'not_found');
  });
  return app;
}
