// Lists the routes of a Fastify 5 app and the tollgate pipeline the plugin recorded for each.
import type { Pipeline } from '@tollgate/core';
import { reportedMethods, type AppFramework, type AppRoute, type AppRoutes, type ServedApp } from './app-framework.js';

/** The part of a Fastify instance the command uses. */
interface FastifyLike {
  printRoutes(options: object): string;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  readonly server: { address(): unknown; closeAllConnections?(): void };
  readonly supportedMethods?: readonly string[];
}

/** One entry of Fastify's route table: a method and path, and the route's config. */
interface TableRoute {
  readonly method: string;
  readonly path: string;
  readonly tollgate: unknown;
}

function isFastifyApp(app: unknown): app is FastifyLike {
  if (typeof app !== 'object' || app === null) return false;
  const candidate = app as Record<string, unknown>;
  return ['printRoutes', 'listen', 'ready', 'addHook', 'register'].every((name) => typeof candidate[name] === 'function');
}

function asPipeline(value: unknown): Pipeline | undefined {
  const candidate = value as Partial<Pipeline> | null | undefined;
  return typeof candidate === 'object' && candidate !== null && Array.isArray(candidate.steps) && typeof candidate.start === 'function' ? (candidate as Pipeline) : undefined;
}

/**
 * Fastify's route table. Fastify keeps no public list of routes, only `printRoutes()`, whose text
 * loses paths (a wildcard under a static segment prints as `*`). Its router hands every route, with
 * its full path and its route context (the config), to the `buildPrettyMeta` callback on the options
 * object it is given; this reads the routes from there.
 */
function routeTable(app: FastifyLike): TableRoute[] {
  const table: TableRoute[] = [];
  let build: ((route: unknown) => object) | undefined;
  const options = { includeMeta: [] as string[] };
  Object.defineProperty(options, 'buildPrettyMeta', {
    enumerable: true,
    set: (fn: (route: unknown) => object) => void (build = fn),
    get: () => (route: { method?: unknown; path?: unknown; store?: { config?: { tollgate?: unknown } } }) => {
      if (typeof route.method === 'string' && typeof route.path === 'string') table.push({ method: route.method, path: route.path, tollgate: route.store?.config?.tollgate });
      return build?.(route) ?? {};
    },
  });
  const printed = app.printRoutes(options);
  if (table.length === 0 && printed.trim() !== '' && printed.trim() !== '(empty tree)') {
    throw new Error('could not read the route table of this Fastify version (printRoutes listed routes, but gave none to buildPrettyMeta)');
  }
  return table;
}

/**
 * Reads a ready Fastify app's routes: each method and path (prefixes included), and the pipeline the
 * tollgate plugin recorded in the route's `config.tollgate` when the route was registered. A route
 * outside every scope the plugin is registered in, or with `config.tollgate: false`, has no guard.
 *
 * @example
 * await app.ready();
 * fastifyRoutes(app).routes.map((r) => `${r.method} ${r.path}`) // ['GET /healthz', 'POST /v1/chat/completions', …]
 */
export function fastifyRoutes(app: unknown): AppRoutes {
  if (!isFastifyApp(app)) throw new Error('not a Fastify app');
  // path (without a trailing slash: prefixTrailingSlash registers both) → method → guard
  const byPath = new Map<string, Map<string, Pipeline | undefined>>();
  for (const route of routeTable(app)) {
    const path = route.path.length > 1 && route.path.endsWith('/') ? route.path.slice(0, -1) : route.path;
    const methods = byPath.get(path) ?? new Map<string, Pipeline | undefined>();
    if (!methods.has(route.method)) methods.set(route.method, asPipeline(route.tollgate));
    byPath.set(path, methods);
  }
  const routes: AppRoute[] = [];
  const pipelines = new Set<Pipeline>();
  for (const [path, methods] of byPath) {
    // Methods with the same guard are reported together, so `all()` is one ALL route and HEAD folds into GET.
    const byGuard = new Map<Pipeline | undefined, string[]>();
    for (const [method, guard] of methods) byGuard.set(guard, [...(byGuard.get(guard) ?? []), method]);
    for (const [guard, declared] of byGuard) {
      if (guard !== undefined) pipelines.add(guard);
      for (const method of reportedMethods(declared, app.supportedMethods ?? [])) routes.push({ method, path, guards: guard === undefined ? [] : [guard] });
    }
  }
  return { routes, pipelines: [...pipelines], unlisted: [] };
}

async function serveFastify(app: unknown): Promise<ServedApp> {
  const fastify = app as FastifyLike;
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fastify.server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      fastify.server.closeAllConnections?.();
      await fastify.close();
    },
  };
}

/** Fastify 5, with the @tollgate/fastify plugin. */
export const fastifyFramework: AppFramework = {
  name: 'Fastify',
  matches: isFastifyApp,
  serve: serveFastify,
  routes: fastifyRoutes,
};
