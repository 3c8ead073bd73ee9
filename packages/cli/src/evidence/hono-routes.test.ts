// Route listing of real Hono 4 apps: middleware order, sub-apps, path patterns; serving through @hono/node-server.
import type { Pipeline } from '@tollgate/core';
import { tollgate } from '@tollgate/hono';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { honoFramework, honoPattern, honoRoutes } from './hono-routes.js';
import { newGate, summary } from './fixtures/route-summary.js';

describe('honoRoutes', () => {
  it('lists every handler with the tollgate middleware registered before it on a covering pattern', () => {
    const main = newGate();
    const admin = newGate();
    const v1 = new Hono();
    v1.post('/chat/completions', (c) => c.json({}));
    v1.get('/models', (c) => c.json({}));
    v1.get('/t/:tenant{[a-z]+}/usage', (c) => c.json({}));
    const app = new Hono();
    app.use('*', async (_c, next) => next());
    app.get('/healthz', (c) => c.text('ok'));
    // Registered before the gate: Hono runs it first, so the gate does not protect it.
    app.post('/v1/early/completions', (c) => c.json({}));
    app.use('/v1/*', tollgate(main));
    app.route('/v1', v1);
    app.post('/admin/rotate', tollgate(admin), (c) => c.json({}));
    app.on('POST', '/admin/*', tollgate(admin));
    app.get('/admin/status', (c) => c.json({}));
    app.post('/admin/keys', (c) => c.json({}));
    app.all('/v2/anything', (c) => c.text('open'));

    const found = honoRoutes(app);
    expect(summary(found.routes, new Map([[main, 'main'], [admin, 'admin']]))).toEqual([
      'GET /healthz -> public',
      'POST /v1/early/completions -> public',
      'POST /v1/chat/completions -> main',
      'GET /v1/models -> main',
      'GET /v1/t/:tenant{[a-z]+}/usage -> main',
      'POST /admin/rotate -> admin',
      'GET /admin/status -> public',
      'POST /admin/keys -> admin',
      'ALL /v2/anything -> public',
    ]);
    expect(found.pipelines).toEqual([main, admin]);
  });

  it('matches path patterns the way Hono does', () => {
    expect(honoPattern('/v1/*').test('/v1')).toBe(true);
    expect(honoPattern('/v1/*').test('/v1/chat/completions')).toBe(true);
    expect(honoPattern('/v1/*').test('/v10/x')).toBe(false);
    expect(honoPattern('*').test('/anything/at/all')).toBe(true);
    expect(honoPattern('/t/:id/v1').test('/t/evidence/v1')).toBe(true);
    expect(honoPattern('/t/:id/v1').test('/t/a/b/v1')).toBe(false);
    expect(honoPattern('/u/:id{[0-9]+}').test('/u/42')).toBe(true);
    expect(honoPattern('/u/:id{[0-9]+}').test('/u/x')).toBe(false);
    expect(honoPattern('/docs/:page?').test('/docs')).toBe(true);
    expect(honoPattern('/v1').test('/v1/chat/completions')).toBe(false);
  });

  it('serves the app through @hono/node-server, with the Node bindings in c.env', async () => {
    const app = new Hono<{ Bindings: { incoming?: { httpVersion: string } } }>();
    app.get('/healthz', (c) => c.json({ http: c.env.incoming?.httpVersion }));
    expect(honoFramework.matches(app)).toBe(true);
    const served = await honoFramework.serve(app, process.cwd());
    try {
      expect(await (await fetch(`${served.baseUrl}/healthz`)).json()).toEqual({ http: '1.1' });
    } finally {
      await served.close();
    }
    await expect(honoFramework.serve(app, '/')).rejects.toThrow("needs @hono/node-server; install it in the app's project (looked from /)");
  });
});
