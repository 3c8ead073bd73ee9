// Module resolve hook: `@tollgate/<package>` resolves to the package's TypeScript sources (for --source runs).
import { pathToFileURL } from 'node:url';

const packagesDir = new URL('../../', import.meta.url);
const sources = {
  '@tollgate/core': 'core/src/index.ts',
  '@tollgate/core/stub-upstream': 'core/src/stub-upstream/index.ts',
  '@tollgate/express': 'express/src/index.ts',
  '@tollgate/fastify': 'fastify/src/index.ts',
  '@tollgate/hono': 'hono/src/index.ts',
  '@tollgate/koa': 'koa/src/index.ts',
  '@tollgate/redis': 'redis/src/index.ts',
};

export async function resolve(specifier, context, nextResolve) {
  const source = Object.hasOwn(sources, specifier) ? sources[specifier] : undefined;
  if (source === undefined) return nextResolve(specifier, context);
  return { url: pathToFileURL(new URL(source, packagesDir).pathname).href, shortCircuit: true, format: 'module' };
}
