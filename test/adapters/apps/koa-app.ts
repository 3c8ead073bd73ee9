// The conformance app on Koa (2 or 3), through @tollgate/koa: one guarded middleware per prefix.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type Koa from 'koa';
import { tollgate } from '@tollgate/koa';
import { aborted, nextTurn, type AdapterApp } from '../app-factory.js';
import { answerFor, answerHeader, sseEvents } from '../conformance-fixture.js';

type KoaContext = Koa.ParameterizedContext;

async function route(ctx: KoaContext, path: string): Promise<void> {
  if (ctx.method === 'GET' && path === '/whoami') {
    ctx.body = { subject: ctx.state.auth?.subject, tenant: ctx.state.auth?.tenantId, requestId: ctx.state.tollgate?.requestId };
  } else if (ctx.method === 'POST' && path === '/echo') {
    ctx.body = { body: (ctx.request as { body?: unknown }).body ?? null };
  } else if (ctx.method === 'POST' && path === '/answer') {
    ctx.set(answerHeader, 'conformance');
    ctx.body = answerFor((ctx.request as { body?: unknown }).body);
  } else if (ctx.method === 'GET' && path === '/stream') {
    const stream = new PassThrough();
    ctx.type = 'text/event-stream';
    ctx.body = stream;
    void (async () => {
      for (const event of sseEvents) {
        stream.write(event);
        await nextTurn();
      }
      stream.end();
    })();
  } else if (ctx.method === 'GET' && path === '/hang') {
    const signal = ctx.state.tollgate!.signal;
    if (ctx.query['stream'] !== '1') {
      await aborted(signal);
      ctx.body = '';
      return;
    }
    const stream = new PassThrough();
    stream.write(sseEvents[0]);
    void aborted(signal).then(() => stream.end());
    ctx.type = 'text/event-stream';
    ctx.body = stream;
  } else {
    ctx.status = 404;
    ctx.body = { error: 'not found' };
  }
}

/** The Koa app factory, for the major version passed in. */
export function koaApp(KoaClass: typeof Koa, name: string): AdapterApp {
  return {
    name,
    async start(fixture) {
      const app = new KoaClass();
      app.silent = true;
      app.use(async (ctx, next) => {
        if (ctx.path === '/healthz') ctx.body = { status: 'ok' };
        else await next();
      });
      for (const [prefix, chain] of Object.entries(fixture.mounts)) {
        const guard = tollgate(chain);
        app.use(async (ctx, next) => {
          if (!ctx.path.startsWith(`${prefix}/`)) return next();
          await guard(ctx, () => route(ctx, ctx.path.slice(prefix.length)));
        });
      }
      const server = app.listen(0, '127.0.0.1');
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
