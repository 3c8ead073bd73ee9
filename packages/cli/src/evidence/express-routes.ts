// Lists the routes of an Express 4 or 5 app and the tollgate pipelines mounted in front of each.
import { METHODS, type RequestListener } from 'node:http';
import { pipelineOf, type Pipeline } from '@tollgate/core';
import { listenOnLoopback, type AppFramework, type AppRoute, type AppRoutes } from './app-framework.js';

const allMethods = METHODS.map((m) => m.toLowerCase());

interface Layer {
  readonly name?: string;
  readonly handle?: unknown;
  readonly method?: string;
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean>; readonly stack: readonly Layer[] };
  /** Express 5 (router 2): the path given to use()/route(). */
  readonly rawPath?: unknown;
  /** Express 4: the compiled mount path. */
  readonly regexp?: RegExp & { fast_slash?: boolean };
  readonly keys?: readonly { name: string | number }[];
}

interface Guard {
  readonly prefix: string;
  readonly pipeline: Pipeline;
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

/** Express 4 keeps only a RegExp for mount paths; turn the usual ones back into `/v1`, `/t/:id`. */
function pathOfRegexp(layer: Layer): string {
  const regexp = layer.regexp;
  if (regexp === undefined || regexp.fast_slash === true) return '';
  const keys = [...(layer.keys ?? [])];
  const text = regexp.source
    .replace(/^\^/, '')
    .replace(/\\\/\?\(\?=\\\/\|\$\)$/, '')
    .replace(/\(\?:\(\[\^\\\/]\+\?\)\)/g, () => `:${String(keys.shift()?.name ?? 'param')}`)
    .replace(/\\(.)/g, '$1');
  return /[()[\]^$|?*+]/.test(text) ? String(regexp) : text;
}

function mountPaths(layer: Layer): string[] {
  if (layer.rawPath === undefined) return [pathOfRegexp(layer)];
  const paths = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
  return paths.map((p) => (typeof p === 'string' ? (p === '/' ? '' : p) : String(p)));
}

function routePaths(path: unknown): string[] {
  const paths = Array.isArray(path) ? path : [path];
  return paths.map((p) => (typeof p === 'string' ? p : String(p)));
}

/** Whether a guard mounted at `prefix` runs for requests to `path` (segment by segment; `:param` matches any). */
function covers(prefix: string, path: string): boolean {
  if (prefix === '' || prefix === '/') return true;
  const want = prefix.split('/');
  const have = path.split('/');
  return want.length <= have.length && want.every((segment, i) => segment === have[i] || segment.startsWith(':') || segment === '*');
}

function routerStack(handle: unknown): readonly Layer[] | undefined {
  const stack = (handle as { stack?: unknown } | null)?.stack;
  return typeof handle === 'function' && Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

function walk(stack: readonly Layer[], prefix: string, inherited: readonly Guard[], out: { routes: AppRoute[]; pipelines: Set<Pipeline>; unlisted: string[] }): void {
  const guards = [...inherited];
  for (const layer of stack) {
    const route = layer.route;
    if (route !== undefined) {
      for (const path of routePaths(route.path)) {
        const full = joinPath(prefix, path);
        const declared = Object.keys(route.methods).filter((m) => route.methods[m]);
        // Express 5's app.all() registers every method one by one; report it as one ALL route.
        const methods = declared.includes('_all') || allMethods.every((m) => declared.includes(m)) ? ['_all'] : declared;
        for (const method of methods) {
          const upper = method === '_all' ? 'ALL' : method.toUpperCase();
          const own = route.stack
            .filter((l) => l.method === undefined || l.method === method || method === '_all')
            .map((l) => pipelineOf(l.handle))
            .filter((p): p is Pipeline => p !== undefined);
          own.forEach((p) => out.pipelines.add(p));
          out.routes.push({ method: upper, path: full, guards: [...new Set([...guards.filter((g) => covers(g.prefix, full)).map((g) => g.pipeline), ...own])] });
        }
      }
      continue;
    }
    const nested = routerStack(layer.handle);
    for (const mount of mountPaths(layer)) {
      const at = joinPath(prefix, mount);
      if (nested !== undefined) {
        walk(nested, at, guards, out);
        continue;
      }
      const pipeline = pipelineOf(layer.handle);
      if (pipeline !== undefined) {
        guards.push({ prefix: at, pipeline });
        out.pipelines.add(pipeline);
      } else if (layer.name === 'mounted_app') out.unlisted.push(`\`${at || '/'}\` (a mounted sub-application)`);
    }
  }
}

function isExpressApp(app: unknown): boolean {
  return typeof app === 'function' && typeof (app as { use?: unknown }).use === 'function' && typeof (app as { set?: unknown }).set === 'function';
}

/**
 * Reads an Express app's router: every route and method, and the tollgate middleware in front of it.
 * Returns undefined when `app` is not an Express app.
 *
 * @example
 * const { routes } = expressRoutes(app)!;
 * routes.map((r) => `${r.method} ${r.path} ${r.guards.length > 0 ? 'tollgate' : 'public'}`);
 */
export function expressRoutes(app: unknown): AppRoutes | undefined {
  if (!isExpressApp(app)) return undefined;
  // Express 4 keeps `app._router` (absent until a route is added) and throws on `app.router`; Express 5 has `app.router`.
  let router = (app as { _router?: unknown })._router;
  if (router === undefined) {
    try {
      router = (app as { router?: unknown }).router;
    } catch {
      router = undefined;
    }
  }
  const stack = (router as { stack?: unknown } | undefined)?.stack;
  const out = { routes: [] as AppRoute[], pipelines: new Set<Pipeline>(), unlisted: [] as string[] };
  if (Array.isArray(stack)) walk(stack as Layer[], '', [], out);
  return { routes: out.routes, pipelines: [...out.pipelines], unlisted: out.unlisted };
}

/** Express 4 and 5: the app is a request listener. */
export const expressFramework: AppFramework = {
  name: 'Express',
  matches: isExpressApp,
  serve: (app) => listenOnLoopback(app as RequestListener),
  routes: (app) => expressRoutes(app)!,
};
