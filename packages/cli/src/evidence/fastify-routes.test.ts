// Route listing of real Fastify 5 apps with the tollgate plugin: scopes, per-route chains, public routes, methods.
import type { Pipeline, Step } from '@tollgate/core';
import { tollgate } from '@tollgate/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyFramework, fastifyRoutes } from './fastify-routes.js';
import { newGate, summary } from './fixtures/route-summary.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const ok = async () => ({ ok: true });

describe('fastifyRoutes', () => {
  it('lists every route with the chain the plugin recorded for it, public routes included', async () => {
    const main = newGate();
    const admin = newGate();
    const steps: Step[] = [{ name: 'own', requires: [], run: () => undefined }];
    const app = Fastify();
    apps.push(app);
    app.get('/healthz', ok);
    await app.register(
      async (v1) => {
        await v1.register(tollgate, { chain: main });
        v1.post('/chat/completions', ok);
        v1.get('/models', ok);
        v1.get('/files/*', ok);
        v1.get('/t/:tenant/usage', ok);
        v1.get('/', ok);
        v1.post('/embeddings', { config: { tollgate: steps } }, ok);
        v1.post('/rotate', { config: { tollgate: admin } }, ok);
        v1.get('/status', { config: { tollgate: false } }, ok);
      },
      { prefix: '/v1' },
    );
    app.all('/anything', ok);
    app.route({ method: ['GET', 'POST'], url: '/internal/generate', handler: ok });
    await app.ready();

    const found = fastifyRoutes(app);
    expect(summary(found.routes, new Map<Pipeline, string>([[main, 'main'], [admin, 'admin']])).sort()).toEqual([
      'ALL /anything -> public',
      'GET /healthz -> public',
      'GET /internal/generate -> public',
      'GET /v1 -> main',
      'GET /v1/files/* -> main',
      'GET /v1/models -> main',
      'GET /v1/status -> public',
      'GET /v1/t/:tenant/usage -> main',
      'POST /internal/generate -> public',
      'POST /v1/chat/completions -> main',
      'POST /v1/embeddings -> steps:own',
      'POST /v1/rotate -> admin',
    ]);
    expect(found.pipelines).toHaveLength(3);
    expect(found.pipelines).toEqual(expect.arrayContaining([main, admin]));
    expect(found.unlisted).toEqual([]);
  });

  it('serves the app on loopback and closes it', async () => {
    const app = Fastify();
    app.get('/healthz', ok);
    expect(fastifyFramework.matches(app)).toBe(true);
    const served = await fastifyFramework.serve(app, process.cwd());
    expect(served.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${served.baseUrl}/healthz`)).json()).toEqual({ ok: true });
    expect(fastifyFramework.routes(app).routes).toEqual([{ method: 'GET', path: '/healthz', guards: [] }]);
    await served.close();
    expect(app.server.listening).toBe(false);
  });
});
