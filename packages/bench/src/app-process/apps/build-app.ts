// Which builder makes which app; frameworks are imported only by the process that runs them.
import type { AppName } from '../../configuration.js';
import type { AppBuilder } from './app-parts.js';

const builders: Record<AppName, () => Promise<AppBuilder>> = {
  express: async () => (await import('./express-app.js')).expressApp,
  fastify: async () => (await import('./fastify-app.js')).fastifyApp,
  hono: async () => (await import('./hono-app.js')).honoApp,
  koa: async () => (await import('./koa-app.js')).koaApp,
  'express-passport': async () => (await import('./express-passport-app.js')).expressPassportApp,
  'express-jwt': async () => (await import('./express-jwt-app.js')).expressJwtApp,
  'fastify-jwt': async () => (await import('./fastify-jwt-app.js')).fastifyJwtApp,
};

/**
 * The builder of an app, loading only its framework.
 *
 * @example
 * const app = await (await appBuilder('fastify'))({ chain, upstream, counters, workDir });
 */
export function appBuilder(name: AppName): Promise<AppBuilder> {
  return builders[name]();
}
