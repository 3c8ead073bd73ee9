// Route listing of real Koa apps with @koa/router: middleware order, router middleware paths, nested routers.
import Router from '@koa/router';
import { markPipeline, pipelineOf, type Pipeline } from '@tollgate/core';
import { tollgate } from '@tollgate/koa';
import Koa, { type Middleware } from 'koa';
import { describe, expect, it } from 'vitest';
import { koaFramework, koaRoutes } from './koa-routes.js';
import { newGate, summary } from './fixtures/route-summary.js';

const ok: Middleware = (ctx) => void (ctx.body = { ok: true });

describe('koaRoutes', () => {
  it('applies app-level tollgate middleware to the routers after it, and router middleware to the routes after it', () => {
    const main = newGate();
    const admin = newGate();
    const tenant = newGate();
    const early = new Router();
    early.post('/internal/generate', ok);
    const v1 = new Router({ prefix: '/v1' });
    v1.get('/models', ok);
    v1.post('/chat/completions', ok);
    v1.all('/anything', ok);
    const nested = new Router();
    nested.use(tollgate(tenant));
    nested.post('/:tenant/embeddings', ok);
    v1.use('/t', nested.routes());
    v1.use('/admin', tollgate(admin));
    v1.post('/admin/rotate', ok);
    v1.post('/keys', tollgate(admin), ok);

    const app = new Koa();
    app.use(async (_ctx, next) => next());
    app.use(early.routes());
    app.use(tollgate(main));
    app.use(v1.routes());
    app.use(v1.allowedMethods());
    app.use(function notFound(ctx) {
      ctx.status = 404;
    });

    const found = koaRoutes(app);
    expect(summary(found.routes, new Map([[main, 'main'], [admin, 'admin'], [tenant, 'tenant']]))).toEqual([
      'POST /internal/generate -> public',
      'GET /v1/models -> main',
      'POST /v1/chat/completions -> main',
      'ALL /v1/anything -> main',
      'POST /v1/t/:tenant/embeddings -> main,tenant',
      'POST /v1/admin/rotate -> main,admin',
      'POST /v1/keys -> main,admin',
    ]);
    expect(found.pipelines).toEqual([main, tenant, admin]);
    // @koa/router 15's allowedMethods() middleware is anonymous, so it is among them (#5).
    expect(found.unlisted).toEqual(['app middleware #1, #5, #6 `notFound` (functions that are not routers)']);
  });

  it('follows a wrapper that keeps the pipeline mark, and serves the app on loopback', async () => {
    const main = newGate();
    const inner = tollgate(main);
    const underV1: Middleware = (ctx, next) => (ctx.path.startsWith('/v1/') ? inner(ctx, next) : next());
    const app = new Koa();
    app.use(markPipeline(underV1, pipelineOf(inner)!));
    const v1 = new Router({ prefix: '/v1' });
    v1.get('/models', ok);
    app.use(v1.routes());
    expect(koaFramework.matches(app)).toBe(true);
    expect(koaRoutes(app).routes).toEqual([{ method: 'GET', path: '/v1/models', guards: [main] }]);
    const served = await koaFramework.serve(app, process.cwd());
    try {
      expect((await fetch(`${served.baseUrl}/v1/models`)).status).toBe(401);
    } finally {
      await served.close();
    }
  });
});
