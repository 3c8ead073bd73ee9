// Lists the routes of a Hono 4 app and the tollgate middleware registered before each; serves it through @hono/node-server.
import { createRequire } from 'node:module';
import type { RequestListener } from 'node:http';
import { pathToFileURL } from 'node:url';
import { pipelineOf, type Pipeline } from '@tollgate/core';
import { listenOnLoopback, type AppFramework, type AppRoute, type AppRoutes, type ServedApp } from './app-framework.js';
import { concretePath } from './inference-routes.js';

/** An entry of `app.routes`: handlers and middleware alike, in the order they were registered. */
interface HonoRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: unknown;
}

interface HonoLike {
  readonly routes: readonly HonoRoute[];
  readonly fetch: (request: Request, env?: unknown) => unknown;
}

interface Guard {
  readonly method: string;
  readonly pattern: RegExp;
  readonly pipeline: Pipeline;
}

function isHonoApp(app: unknown): app is HonoLike {
  if (typeof app !== 'object' || app === null) return false;
  const candidate = app as Record<string, unknown>;
  return Array.isArray(candidate['routes']) && typeof candidate['fetch'] === 'function' && typeof candidate['route'] === 'function' && typeof candidate['use'] === 'function';
}

/**
 * The paths a Hono path pattern matches: `:name` one segment, `:name{re}` as `re`, `:name?` optional,
 * `*` anything, and a trailing `/*` also the bare prefix (as Hono's routers do).
 *
 * @example
 * honoPattern('/v1/*').test('/v1/chat/completions') // true
 */
export function honoPattern(path: string): RegExp {
  const segments = (path.startsWith('/') ? path : `/${path}`).split('/').slice(1);
  let source = '';
  segments.forEach((segment, i) => {
    if (segment === '*') {
      source += i === segments.length - 1 ? '(?:/.*)?' : '/.*';
      return;
    }
    const param = /^:\w+(?:\{(.+)\})?(\?)?$/.exec(segment);
    if (param !== null) {
      const part = `/${param[1] === undefined ? '[^/]+' : `(?:${param[1]})`}`;
      source += param[2] === undefined ? part : `(?:${part})?`;
      return;
    }
    source += `/${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}`;
  });
  return new RegExp(`^${source === '' ? '/' : source}$`);
}

/**
 * Reads a Hono app's `app.routes`: every handler's method and path (sub-apps of `app.route()`
 * included), and the tollgate middleware registered before it on a pattern that covers it. Entries
 * whose function takes `next` are middleware, not routes.
 *
 * @example
 * honoRoutes(app).routes.map((r) => `${r.method} ${r.path}`) // ['GET /healthz', 'POST /v1/chat/completions', …]
 */
export function honoRoutes(app: unknown): AppRoutes {
  if (!isHonoApp(app)) throw new Error('not a Hono app');
  const guards: Guard[] = [];
  const routes: AppRoute[] = [];
  const seen = new Set<string>();
  for (const entry of app.routes) {
    const method = entry.method.toUpperCase();
    const pipeline = pipelineOf(entry.handler);
    if (pipeline !== undefined) {
      guards.push({ method, pattern: honoPattern(entry.path), pipeline });
      continue;
    }
    // Middleware declares (c, next); a handler answers. `app.get(path, mw, handler)` lists both.
    if (typeof entry.handler === 'function' && entry.handler.length >= 2) continue;
    const key = `${method} ${entry.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const concrete = concretePath(entry.path);
    const covering = guards.filter((g) => (g.method === 'ALL' || g.method === method) && g.pattern.test(concrete)).map((g) => g.pipeline);
    routes.push({ method, path: entry.path, guards: [...new Set(covering)] });
  }
  return { routes, pipelines: [...new Set(guards.map((g) => g.pipeline))], unlisted: [] };
}

/** Serves the app with the app's own @hono/node-server, so handlers get the Node bindings they expect (`c.env.incoming`). */
async function serveHono(app: unknown, moduleDir: string): Promise<ServedApp> {
  let nodeServer: { getRequestListener: (fetch: HonoLike['fetch']) => RequestListener };
  try {
    nodeServer = createRequire(pathToFileURL(`${moduleDir}/`))('@hono/node-server') as typeof nodeServer;
  } catch {
    throw new Error(`serving a Hono app on Node needs @hono/node-server; install it in the app's project (looked from ${moduleDir})`);
  }
  return listenOnLoopback(nodeServer.getRequestListener((app as HonoLike).fetch));
}

/** Hono 4, served on Node by @hono/node-server. */
export const honoFramework: AppFramework = {
  name: 'Hono',
  matches: isHonoApp,
  serve: serveHono,
  routes: honoRoutes,
};
