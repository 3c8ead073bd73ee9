import { once } from 'node:events';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa3 from 'koa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKey, createApiKey, gate, memoryKeyStore, pipelineOf, type Step, type TgContext } from '@tollgate/core';
import { tollgate, tollgateContext } from './index.js';

// Koa 2 is installed under the alias koa2, without types of its own: it has Koa 3's API for what we use.
const Koa2 = createRequire(import.meta.url)('koa2') as typeof Koa3;
const fast = { memoryCost: 1024, timeCost: 1 };
const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
  server.closeAllConnections();
  server.close(resolve);
}))));

async function listen(app: Koa3): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A full garbage collection, from inside the test (V8's `gc`, exposed for a moment). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return gc;
}

async function keyed() {
  const store = memoryKeyStore();
  const { key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: fast });
  await store.put(record);
  return { key, chain: gate({ authenticate: { methods: [apiKey({ store })] } }) };
}

for (const [name, Koa] of [['koa 3', Koa3], ['koa 2', Koa2]] as const) {
  describe(`@tollgate/koa on ${name}`, () => {
    it('shares one context between an app-level and a route-level middleware', async () => {
      const { key, chain } = await keyed();
      const seenBy: string[] = [];
      const routeStep: Step = { name: 'routeStep', requires: ['authenticate'], run: (ctx) => void seenBy.push(ctx.principal!.subject) };
      const app = new Koa();
      const appGuard = tollgate(chain);
      expect(pipelineOf(appGuard)).toBe(chain);
      app.use(appGuard);
      const routeGuard = tollgate([routeStep]);
      app.use(async (ctx, next) => routeGuard(ctx, async () => {
        ctx.body = { subject: ctx.state.auth?.subject, same: ctx.state.tollgate === tollgateContext(ctx) };
        await next();
      }));
      const res = await fetch(await listen(app), { headers: { authorization: `Bearer ${key}` } });
      expect(await res.json()).toEqual({ subject: 'alice', same: true });
      expect(seenBy).toEqual(['alice']);
    });

    it('lets go of Koa’s ctx once the response has finished, while the tollgate context lives on', async () => {
      const { key, chain } = await keyed();
      const gc = collectGarbage();
      let ctxRef: WeakRef<object> | undefined;
      let kept: TgContext | undefined;
      const app = new Koa();
      app.use(tollgate(chain));
      app.use((ctx) => {
        ctxRef = new WeakRef(ctx);
        // What outlives a request in an app: its tollgate context, held by something long-lived.
        kept = ctx.state.tollgate;
        ctx.body = 'ok';
      });
      const res = await fetch(await listen(app), { headers: { authorization: `Bearer ${key}`, connection: 'close' } });
      expect(await res.text()).toBe('ok');
      for (let i = 0; i < 10 && ctxRef?.deref() !== undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        gc();
      }
      expect(kept?.principal?.subject).toBe('alice');
      expect(ctxRef?.deref()).toBeUndefined();
    });

    it('hands core the body a parser already read, instead of reading the stream again', async () => {
      const { key, chain } = await keyed();
      let seen: unknown;
      const readsBody: Step = { name: 'readsBody', requires: ['authenticate'], run: async (ctx) => void (seen = await ctx.request.json()) };
      const app = new Koa();
      app.use(async (ctx, next) => {
        let text = '';
        for await (const chunk of ctx.req) text += String(chunk);
        (ctx.request as { body?: unknown }).body = { parsedBy: 'app', text };
        await next();
      });
      app.use(tollgate(gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate') as never, steps: [readsBody] })));
      app.use((ctx) => void (ctx.body = { body: (ctx.request as { body?: unknown }).body }));
      const res = await fetch(await listen(app), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: 'raw' });
      expect(res.status).toBe(200);
      expect(seen).toEqual({ parsedBy: 'app', text: 'raw' });
      expect(await res.json()).toEqual({ body: { parsedBy: 'app', text: 'raw' } });
    });

    it('keeps the request id and core’s content type on a refusal, not Koa’s guessed text/plain', async () => {
      const { chain } = await keyed();
      const app = new Koa();
      app.use(tollgate(chain));
      app.use((ctx) => void (ctx.body = 'unreachable'));
      const res = await fetch(await listen(app), { headers: { 'x-request-id': 'koa-1' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-request-id')).toBe('koa-1');
      expect(await res.text()).not.toContain('unreachable');
    });

    it('observes raw writes with ctx.respond = false and finishes once', async () => {
      const { key, chain } = await keyed();
      let body = '';
      const outcomes: unknown[] = [];
      const watcher: Step = {
        name: 'watcher',
        requires: [],
        run: () => undefined,
        observeResponse: () => ({ chunk: (chunk) => void (body += Buffer.from(chunk).toString()) }),
        finish: (_ctx, outcome) => void outcomes.push(outcome),
      };
      const app = new Koa();
      app.use(tollgate(gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate') as never, inferenceLog: watcher })));
      app.use((ctx) => {
        ctx.respond = false;
        ctx.res.writeHead(200, { 'content-type': 'text/event-stream' });
        ctx.res.write('data: 1\n\n');
        ctx.res.end('data: [DONE]\n\n');
      });
      const res = await fetch(await listen(app), { headers: { authorization: `Bearer ${key}` } });
      expect(await res.text()).toBe('data: 1\n\ndata: [DONE]\n\n');
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      await vi.waitFor(() => expect(outcomes).toEqual([{ status: 200, aborted: false }]));
      expect(body).toBe('data: 1\n\ndata: [DONE]\n\n');
    });

    it('lets its own unexpected failures reach Koa’s error handling', async () => {
      const broken = gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] }, errors: { format: () => { throw new Error('renderer bug'); } } });
      const app = new Koa();
      const errors: unknown[] = [];
      app.silent = true;
      app.on('error', (error) => errors.push(error));
      app.use(tollgate(broken));
      const res = await fetch(await listen(app));
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('renderer bug');
      expect(errors.some((e) => e instanceof Error && e.message === 'renderer bug')).toBe(true);
    });
  });
}
