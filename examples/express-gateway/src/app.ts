// The example gateway app: public /healthz, every /v1 route behind tollgate, one log line per request.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type OpenAI from 'openai';
import type { Logger } from 'pino';
import type { Gate } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { inferenceRoutes } from './routes.js';

export interface GatewayAppOptions {
  readonly gate: Gate;
  readonly openai: OpenAI;
  readonly logger: Logger;
}

/**
 * Builds the app. Copy this file as a starting point: the only tollgate lines are the `tollgate(gate)`
 * mount and the use of `req.auth` / `req.tollgate` in the handlers.
 */
export function createGatewayApp({ gate, openai, logger }: GatewayAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  // One line per request. Never log headers wholesale: Authorization and x-api-key carry secrets.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('finish', () => {
      const context = req.tollgate;
      logger.info({
        request_id: context?.requestId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        key_id: req.auth?.keyId,
        tenant_id: req.auth?.tenantId,
        user_id: req.auth?.subject,
        auth: context?.decisions.authn?.outcome,
        auth_reason: context?.decisions.authn?.reason,
        input_tokens: context?.usage?.inputTokens,
        output_tokens: context?.usage?.outputTokens,
        ip: context?.clientIp,
      }, 'request');
    });
    next();
  });

  app.use('/v1', tollgate(gate), inferenceRoutes(openai));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { message: 'Not found.', type: 'invalid_request_error', code: 'not_found', param: null } });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // express.json() errors: bad JSON (400), too large (413), wrong charset (415).
      res.status(status).json({ error: { message: (error as Error).message, type: 'invalid_request_error', code: 'invalid_body', param: null } });
      return;
    }
    logger.error({ request_id: req.tollgate?.requestId, err: { type: (error as Error).name, message: (error as Error).message } }, 'unhandled error');
    if (!res.headersSent) res.status(502).json({ error: { message: 'The upstream model call failed.', type: 'upstream_error', code: 'upstream_failed', param: null } });
    else res.end();
  });
  return app;
}
