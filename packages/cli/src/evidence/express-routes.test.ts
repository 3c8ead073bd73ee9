// Route listing of real Express 5 and Express 4 apps: mount paths, nested routers, route-level guards, and order.
import { createRequire } from 'node:module';
import type { Pipeline } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { expressRoutes } from './express-routes.js';
import { newGate, summary } from './fixtures/route-summary.js';

// Express 4 is installed for the adapter's own tests, under the alias `express4`.
const express4 = createRequire(new URL('../../../express/package.json', import.meta.url))('express4') as typeof express;
const ok = (_req: unknown, res: { end: () => void }) => res.end();

describe('expressRoutes', () => {
  it.each([
    ['Express 5', express],
    ['Express 4', express4],
  ])('lists every route of an %s app with the pipelines in front of it', (_name, framework) => {
    const main = newGate();
    const admin = newGate();
    const app = framework();
    app.get('/healthz', ok);
    // Declared before the gate is mounted: Express runs it first, so the gate does not protect it.
    app.post('/v1/early/completions', ok);
    const v1 = framework.Router();
    v1.post('/chat/completions', ok);
    v1.route('/models').get(ok).head(ok);
    const tenants = framework.Router();
    tenants.post('/:tenant/embeddings', ok);
    v1.use('/t', tenants);
    app.use('/v1', tollgate(main), v1);
    app.post('/admin/rotate', tollgate(admin), ok);
    app.all('/v1/anything', ok);
    const sub = framework();
    sub.get('/hidden', ok);
    app.use('/sub', sub);

    const found = expressRoutes(app)!;
    const names = new Map<Pipeline, string>([[main, 'main'], [admin, 'admin']]);
    expect(summary(found.routes, names)).toEqual([
      'GET /healthz -> public',
      'POST /v1/early/completions -> public',
      'POST /v1/chat/completions -> main',
      'GET /v1/models -> main',
      'HEAD /v1/models -> main',
      'POST /v1/t/:tenant/embeddings -> main',
      'POST /admin/rotate -> admin',
      'ALL /v1/anything -> main',
    ]);
    expect(found.pipelines).toEqual([main, admin]);
    expect(found.unlisted).toEqual(['`/sub` (a mounted sub-application)']);
  });

  it('applies a guard mounted at a parametrised path only to the paths it covers', () => {
    const scoped = newGate();
    const app = express();
    app.use('/t/:tenant/v1', tollgate(scoped));
    app.post('/t/:tenant/v1/chat/completions', ok);
    app.post('/t/:tenant/v2/chat/completions', ok);
    app.post('/t', ok);
    expect(summary(expressRoutes(app)!.routes, new Map([[scoped, 'scoped']]))).toEqual([
      'POST /t/:tenant/v1/chat/completions -> scoped',
      'POST /t/:tenant/v2/chat/completions -> public',
      'POST /t -> public',
    ]);
  });

  it('returns undefined for something that is not an Express app, and no routes for an empty one', () => {
    expect(expressRoutes(() => undefined)).toBeUndefined();
    expect(expressRoutes({ use() {}, set() {} })).toBeUndefined();
    expect(expressRoutes(express4())).toEqual({ routes: [], pipelines: [], unlisted: [] });
  });
});
