// Express 5: the chat route alone, or behind tollgate; the route parses JSON, calls the model, relays its answer.
import { once } from 'node:events';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { benchPath } from '../../bench-request.js';
import type { AppCounters } from '../app-counters.js';
import type { Upstream } from '../upstream.js';
import { closeServer, isStreamed, routeSignal, serverUrl, type AppParts, type ListeningApp } from './app-parts.js';

/**
 * The route handler every Express configuration shares (bare, tollgate and the peer stacks): the
 * body as parsed (by express.json() or by tollgate), the model call, the answer relayed as it comes.
 */
export function expressChatHandler(upstream: Upstream, counters: AppCounters, signal = false): RequestHandler {
  return async function chat(req: Request, res: Response, next: NextFunction) {
    counters.add('requests');
    try {
      const reply = await upstream.chat(req.body, routeSignal(signal, req.tollgate, res));
      res.status(reply.status).setHeader('content-type', reply.contentType);
      if (!isStreamed(reply)) {
        res.end(reply.body);
        return;
      }
      for await (const chunk of reply.body) res.write(chunk);
      res.end();
    } catch (error) {
      next(error);
    }
  };
}

/** Starts an Express app on an ephemeral loopback port. */
export async function listenExpress(app: express.Express, headers: Readonly<Record<string, string>>): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: serverUrl(server), headers, close: () => closeServer(server) };
}

/**
 * Express with the chat route; with a chain, `tollgate(gate)` guards `/v1` (and parses the body
 * itself when a step reads it, so express.json() then has nothing left to do).
 *
 * @example
 * const app = await expressApp({ chain, upstream, counters, workDir });
 */
export async function expressApp({ chain, upstream, counters, signal, timeAnswers }: AppParts): Promise<ListeningApp> {
  const app = express();
  if (timeAnswers === true) {
    app.use((_req, res, next) => {
      const arrived = performance.now();
      res.once('finish', () => {
        if (res.statusCode === 200) counters.latency(performance.now() - arrived);
      });
      next();
    });
  }
  if (chain !== undefined) {
    const { tollgate } = await import('@tollgate/express');
    app.use('/v1', tollgate(chain.gate));
  }
  app.post(benchPath, express.json({ limit: '1mb' }), expressChatHandler(upstream, counters, signal));
  return listenExpress(app, chain?.headers ?? {});
}
