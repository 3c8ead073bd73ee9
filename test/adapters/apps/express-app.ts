// The conformance app on Express (4 or 5), through @tollgate/express.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type express from 'express';
import { tollgate } from '@tollgate/express';
import { aborted, nextTurn, type AdapterApp } from '../app-factory.js';
import { answerFor, answerHeader, sseEvents } from '../conformance-fixture.js';

type Express = typeof express;

function routes(expressLib: Express): express.Router {
  const router = expressLib.Router();
  router.get('/whoami', (req, res) => void res.json({ subject: req.auth?.subject, tenant: req.auth?.tenantId, requestId: req.tollgate?.requestId }));
  router.post('/echo', (req, res) => void res.json({ body: (req.body as unknown) ?? null }));
  router.post('/answer', (req, res) => void res.set(answerHeader, 'conformance').json(answerFor(req.body)));
  router.get('/stream', async (_req, res) => {
    res.setHeader('content-type', 'text/event-stream');
    for (const event of sseEvents) {
      res.write(event);
      await nextTurn();
    }
    res.end();
  });
  router.get('/hang', async (req, res) => {
    if (req.query['stream'] === '1') {
      res.setHeader('content-type', 'text/event-stream');
      res.write(sseEvents[0]);
    }
    await aborted(req.tollgate!.signal);
    res.end();
  });
  return router;
}

/** The Express app factory, for the major version passed in. */
export function expressApp(expressLib: Express, name: string): AdapterApp {
  return {
    name,
    async start(fixture) {
      const app = expressLib();
      app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
      for (const [prefix, chain] of Object.entries(fixture.mounts)) app.use(prefix, tollgate(chain), routes(expressLib));
      const server: Server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
      };
    },
  };
}
