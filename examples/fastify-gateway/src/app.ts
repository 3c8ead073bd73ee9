// The example gateway app: public /healthz, every /v1 route behind tollgate, one log line per request.
import Fastify, { type FastifyInstance } from 'fastify';
import type OpenAI from 'openai';
import type { Logger } from 'pino';
import type { Gate } from '@tollgate/core';
import { tollgate } from '@tollgate/fastify';
import { inferenceRoutes } from './routes.js';

export interface GatewayAppOptions {
  readonly gate: Gate;
  readonly openai: OpenAI;
  readonly logger: Logger;
}

const openAiError = (message: string, type: string, code: string) => ({ error: { message, type, code, param: null } });

/**
 * Builds the app. Copy this file as a starting point: the only tollgate lines are the plugin
 * registration in the `/v1` scope and the use of `request.auth` / `request.tollgate` in the handlers.
 */
export async function createGatewayApp({ gate, openai, logger }: GatewayAppOptions): Promise<FastifyInstance> {
  // DECIDE: Fastify's own `trustProxy` only affects `request.ip`; tollgate decides the client IP from
  // `trustProxy` in tollgate.yaml, so configure proxies there (one setting, in one place).
  const app = Fastify({ bodyLimit: 1_048_576 });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // One line per request. Never log headers wholesale: Authorization and x-api-key carry secrets.
  app.addHook('onResponse', async (request, reply) => {
    const context = request.tollgate;
    logger.info({
      request_id: context?.requestId,
      method: request.method,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      latency_ms: Math.round(reply.elapsedTime * 10) / 10,
      key_id: request.auth?.keyId,
      tenant_id: request.auth?.tenantId,
      user_id: request.auth?.subject,
      auth: context?.decisions.authn?.outcome,
      auth_reason: context?.decisions.authn?.reason,
      input_tokens: context?.usage?.inputTokens,
      output_tokens: context?.usage?.outputTokens,
      ip: context?.clientIp,
    }, 'request');
  });

  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send(openAiError('Not found.', 'invalid_request_error', 'not_found')));
  // Set before the /v1 scope is registered, so the scope inherits it.
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's body errors: bad JSON (400), too large (413), unsupported content type (415).
      return reply.code(status).send(openAiError(error.message, 'invalid_request_error', 'invalid_body'));
    }
    logger.error({ request_id: request.tollgate?.requestId, err: { type: error.name, message: error.message } }, 'unhandled error');
    return reply.code(502).send(openAiError('The upstream model call failed.', 'upstream_error', 'upstream_failed'));
  });

  await app.register(async (v1) => {
    // tollgate guards every route of this scope: authentication runs in onRequest, before the body is read.
    await v1.register(tollgate, { chain: gate });
    // A not-found handler inside the scope, so unknown /v1 paths are refused (401) before they 404.
    v1.setNotFoundHandler(async (_request, reply) => reply.code(404).send(openAiError('Not found.', 'invalid_request_error', 'not_found')));
    await v1.register(inferenceRoutes, { openai });
  }, { prefix: '/v1' });

  return app;
}
