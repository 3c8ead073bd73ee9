// The conformance app on Hono 4 served by @hono/node-server, through @tollgate/hono.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { tollgate, type TollgateEnv } from '@tollgate/hono';
import { aborted, nextTurn, type AdapterApp } from '../app-factory.js';
import { answerFor, answerHeader, sseEvents } from '../conformance-fixture.js';

/** `data: x\n\n` → `x`, for writeSSE, which adds the framing back. */
const dataOf = (event: string): string => event.slice('data: '.length, -2);

function routes(): Hono<TollgateEnv> {
  const app = new Hono<TollgateEnv>();
  app.get('/whoami', (c) => c.json({ subject: c.get('auth')?.subject, tenant: c.get('auth')?.tenantId, requestId: c.get('tollgate').requestId }));
  app.post('/echo', async (c) => c.json({ body: c.req.header('content-length') === undefined ? null : ((await c.req.json()) as unknown) }));
  app.post('/answer', async (c) => c.json(answerFor(await c.req.json()), 200, { [answerHeader]: 'conformance' }));
  app.get('/stream', (c) => streamSSE(c, async (stream) => {
    for (const event of sseEvents) {
      await stream.writeSSE({ data: dataOf(event) });
      await nextTurn();
    }
  }));
  app.get('/hang', async (c) => {
    const signal = c.get('tollgate').signal;
    if (c.req.query('stream') !== '1') {
      await aborted(signal);
      return c.body(null);
    }
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({ data: dataOf(sseEvents[0]) });
      await aborted(signal);
    });
  });
  return app;
}

export const honoApp: AdapterApp = {
  name: 'hono 4 (node-server)',
  async start(fixture) {
    const app = new Hono<TollgateEnv>();
    app.get('/healthz', (c) => c.json({ status: 'ok' }));
    for (const [prefix, chain] of Object.entries(fixture.mounts)) {
      app.use(`${prefix}/*`, tollgate(chain));
      app.route(prefix, routes());
    }
    const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
      const running = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server: running, port: info.port }));
    });
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
    };
  },
};
