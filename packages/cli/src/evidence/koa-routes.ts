// Lists the routes of a Koa 2/3 app's routers (@koa/router, koa-router) and the tollgate middleware that runs before each.
import { METHODS, type RequestListener } from 'node:http';
import { pipelineOf, type Pipeline } from '@tollgate/core';
import { listenOnLoopback, reportedMethods, type AppFramework, type AppRoute, type AppRoutes } from './app-framework.js';
import { concretePath } from './inference-routes.js';

/** A layer of a router's stack: a route (with methods) or router middleware (`router.use`, no methods). */
interface RouterLayer {
  readonly path: unknown;
  readonly methods: readonly string[];
  readonly stack: readonly unknown[];
  readonly regexp?: RegExp;
}

interface KoaLike {
  readonly middleware: readonly unknown[];
  callback(): RequestListener;
}

interface RouterGuard {
  readonly regexp: RegExp | undefined;
  readonly pipeline: Pipeline;
}

function isKoaApp(app: unknown): app is KoaLike {
  if (typeof app !== 'object' || app === null) return false;
  const candidate = app as Record<string, unknown>;
  return Array.isArray(candidate['middleware']) && typeof candidate['callback'] === 'function' && typeof candidate['use'] === 'function';
}

/** The router behind `router.routes()`: both routers put themselves on the dispatch function. */
function routerStack(middleware: unknown): readonly RouterLayer[] | undefined {
  const stack = (middleware as { router?: { stack?: unknown } } | null)?.router?.stack;
  return typeof middleware === 'function' && Array.isArray(stack) ? (stack as RouterLayer[]) : undefined;
}

function marked(functions: readonly unknown[]): Pipeline[] {
  return functions.map((fn) => pipelineOf(fn)).filter((p): p is Pipeline => p !== undefined);
}

/** A router's routes, in stack order: router middleware guards the routes after it whose path it matches. */
function listRouter(stack: readonly RouterLayer[], appGuards: readonly Pipeline[], routes: AppRoute[], pipelines: Set<Pipeline>): void {
  const routerGuards: RouterGuard[] = [];
  for (const layer of stack) {
    const own = marked(layer.stack);
    own.forEach((p) => pipelines.add(p));
    if (layer.methods.length === 0) {
      routerGuards.push(...own.map((pipeline) => ({ regexp: layer.regexp, pipeline })));
      continue;
    }
    const path = String(layer.path);
    const concrete = concretePath(path);
    const covering = routerGuards.filter((g) => g.regexp === undefined || g.regexp.test(concrete)).map((g) => g.pipeline);
    const guards = [...new Set([...appGuards, ...covering, ...own])];
    for (const method of reportedMethods(layer.methods, METHODS)) routes.push({ method, path, guards });
  }
}

/**
 * Reads a Koa app's middleware in order: tollgate middleware on the app guards every router mounted
 * after it (Koa has no mount paths); each router's routes are listed with the router middleware
 * before them. Other app middleware may answer requests but has no routes to read: it is reported
 * as unlisted.
 *
 * @example
 * koaRoutes(app).routes.map((r) => `${r.method} ${r.path}`) // ['POST /v1/chat/completions', 'GET /v1/models']
 */
export function koaRoutes(app: unknown): AppRoutes {
  if (!isKoaApp(app)) throw new Error('not a Koa app');
  const appGuards: Pipeline[] = [];
  const routes: AppRoute[] = [];
  const pipelines = new Set<Pipeline>();
  const others: string[] = [];
  app.middleware.forEach((middleware, i) => {
    const pipeline = pipelineOf(middleware);
    if (pipeline !== undefined) {
      appGuards.push(pipeline);
      pipelines.add(pipeline);
      return;
    }
    const stack = routerStack(middleware);
    if (stack !== undefined) return listRouter(stack, appGuards, routes, pipelines);
    const name = typeof middleware === 'function' ? middleware.name : '';
    // koa-router's (named) allowedMethods answers 405/501 only for the routes its router lists.
    if (name !== 'allowedMethods') others.push(`#${i + 1}${name === '' ? '' : ` \`${name}\``}`);
  });
  const unlisted = others.length === 0 ? [] : [`app middleware ${others.join(', ')} (functions that are not routers)`];
  return { routes, pipelines: [...pipelines], unlisted };
}

/** Koa 2 and 3, routes from @koa/router or koa-router. */
export const koaFramework: AppFramework = {
  name: 'Koa',
  matches: isKoaApp,
  serve: (app) => listenOnLoopback((app as KoaLike).callback()),
  routes: koaRoutes,
};
