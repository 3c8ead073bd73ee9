// The example gateway app: public /healthz, every /v1 route behind tollgate, one log line per request.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type OpenAI from 'openai';
import type { Logger } from 'pino';
import type { Gate } from '@tollgate/core';
import { tollgate, tollgateContext, type TollgateEnv } from '@tollgate/hono';
import { inferenceRoutes } from './routes.js';

export interface GatewayAppOptions {
  readonly gate: Gate;
  readonly openai: OpenAI;
  readonly logger: Logger;
}

/** tollgate's context variables plus @hono/node-server's bindings (the Node request and response). */
export type GatewayEnv = TollgateEnv & { Bindings: HttpBindings };

const openAiError = (message: string, type: string, code: string) => ({ error: { message, type, code, param: null } });

/**
 * Builds the app. Copy this file as a starting point: the only tollgate lines are the `tollgate(gate)`
 * middleware on `/v1/*` and the use of `c.get('auth')` / `c.get('tollgate')` in the handlers.
 */
export function createGatewayApp({ gate, openai, logger }: GatewayAppOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  // One line per request, written when the response has ended (streams included, with their usage).
  // Never log headers wholesale: Authorization and x-api-key carry secrets.
  app.use('*', async (c, next) => {
    const started = performance.now();
    const { outgoing } = c.env;
    outgoing.once('close', () => {
      const context = tollgateContext(c);
      const auth = context?.principal;
      logger.info({
        request_id: context?.requestId,
        method: c.req.method,
        path: c.req.path,
        status: outgoing.statusCode,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        key_id: auth?.keyId,
        tenant_id: auth?.tenantId,
        user_id: auth?.subject,
        auth: context?.decisions.authn?.outcome,
        auth_reason: context?.decisions.authn?.reason,
        input_tokens: context?.usage?.inputTokens,
        output_tokens: context?.usage?.outputTokens,
        ip: context?.clientIp,
      }, 'request');
    });
    await next();
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Every /v1 path, unknown ones included, is refused before routing when the caller has no valid key.
  app.use('/v1/*', tollgate(gate));
  app.route('/v1', inferenceRoutes(openai));

  app.notFound((c) => c.json(openAiError('Not found.', 'invalid_request_error', 'not_found'), 404));
  app.onError((error, c) => {
    logger.error({ request_id: tollgateContext(c)?.requestId, err: { type: error.name, message: error.message } }, 'unhandled error');
    return c.json(openAiError('The upstream model call failed.', 'upstream_error', 'upstream_failed'), 502);
  });
  return app;
}
