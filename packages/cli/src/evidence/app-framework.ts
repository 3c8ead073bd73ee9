// What `tollgate evidence` needs from a web framework: recognise its app, serve it on loopback, list its routes.
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pipeline } from '@tollgate/core';

/** A route of the app, one per method, with the tollgate pipelines that run before its handler. */
export interface AppRoute {
  /** Upper-case method; `ALL` for a route that answers every method. */
  readonly method: string;
  /** The full path pattern, mount paths and prefixes included (`/v1/chat/completions`, `/users/:id`). */
  readonly path: string;
  /** Tollgate pipelines that run before the handler, outermost first. */
  readonly guards: readonly Pipeline[];
}

/** What could be read from the app's routing. */
export interface AppRoutes {
  readonly routes: readonly AppRoute[];
  /** Every tollgate pipeline found, once each. */
  readonly pipelines: readonly Pipeline[];
  /** What may answer requests but whose routes cannot be read (an Express sub-app, a Koa middleware that is not a router). */
  readonly unlisted: readonly string[];
}

/** The app, listening on 127.0.0.1 for the run. */
export interface ServedApp {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** One supported framework. Everything else in the command is framework-neutral. */
export interface AppFramework {
  /** As the evidence files name it: `Express`, `Fastify`, `Hono`, `Koa`. */
  readonly name: string;
  /** Whether `app` is an app of this framework (not listening yet). */
  matches(app: unknown): boolean;
  /** Serves the app on 127.0.0.1 and a free port; `moduleDir` is where the app's own packages are found. */
  serve(app: unknown, moduleDir: string): Promise<ServedApp>;
  /** Lists the routes; called once the app is served (Fastify's route table is final only then). */
  routes(app: unknown): AppRoutes;
}

/**
 * Serves a Node request listener on 127.0.0.1 and a free port.
 *
 * @example
 * const served = await listenOnLoopback(expressApp);
 * await fetch(`${served.baseUrl}/healthz`);
 * await served.close();
 */
export async function listenOnLoopback(listener: RequestListener): Promise<ServedApp> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The methods a route is reported under, for frameworks that add `HEAD` to every `GET` route and
 * register "all methods" one by one: `ALL` when every method of `all` is there, and no implied `HEAD`.
 *
 * @example
 * reportedMethods(['HEAD', 'GET'], METHODS) // ['GET']
 */
export function reportedMethods(declared: readonly string[], all: readonly string[]): string[] {
  const methods = [...new Set(declared.map((m) => m.toUpperCase()))];
  if (all.length > 0 && all.every((m) => methods.includes(m.toUpperCase()))) return ['ALL'];
  return methods.filter((m) => m !== 'HEAD' || !methods.includes('GET'));
}
