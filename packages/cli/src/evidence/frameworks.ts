// The frameworks `tollgate evidence` reads, and which one an exported app belongs to.
import type { AppFramework } from './app-framework.js';
import { expressFramework } from './express-routes.js';
import { fastifyFramework } from './fastify-routes.js';
import { honoFramework } from './hono-routes.js';
import { koaFramework } from './koa-routes.js';

/** Every supported framework; their apps are told apart by shape (a function, an object with `fetch`, …). */
export const frameworks: readonly AppFramework[] = [expressFramework, fastifyFramework, honoFramework, koaFramework];

const supported = 'an Express 4/5, Fastify 5, Hono 4 or Koa 2/3 app';

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function${value.name === '' ? '' : ` named ${value.name}`}`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value.constructor as { name?: string } | undefined)?.name;
  return name === undefined || name === 'Object' ? `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}` : `an instance of ${name}`;
}

/**
 * The framework of an app, or undefined when it is none of the supported ones.
 *
 * @example
 * frameworkOf(express())?.name // 'Express'
 * frameworkOf(new Hono())?.name // 'Hono'
 */
export function frameworkOf(app: unknown): AppFramework | undefined {
  return frameworks.find((framework) => framework.matches(app));
}

/**
 * The framework of an app; throws, naming the supported frameworks, for anything else.
 *
 * @example
 * requireFramework({}) // Error: the module's app is not an Express 4/5, Fastify 5, Hono 4 or Koa 2/3 app (got an object with keys (none))
 */
export function requireFramework(app: unknown): AppFramework {
  const framework = frameworkOf(app);
  if (framework === undefined) throw new Error(`the module's app is not ${supported} (got ${describeValue(app)})`);
  return framework;
}
