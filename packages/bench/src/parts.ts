// The parts a configuration needs, checked when the harness runs: package exports and the Redis server.
import { Redis } from 'ioredis';
import type { Part } from './configuration.js';

/** The workspace packages a configuration may need. */
export type TollgatePackage = '@tollgate/core' | '@tollgate/express' | '@tollgate/fastify' | '@tollgate/hono' | '@tollgate/koa' | '@tollgate/redis';

const loaded = new Map<TollgatePackage, Promise<Record<string, unknown> | undefined>>();

/** The package's exports, or undefined when it cannot be imported (not built, or not written yet). */
function loadPackage(name: TollgatePackage): Promise<Record<string, unknown> | undefined> {
  let module = loaded.get(name);
  if (module === undefined) {
    module = import(name).then(
      (exports: Record<string, unknown>) => exports,
      () => undefined,
    );
    loaded.set(name, module);
  }
  return module;
}

/**
 * A function a package must export, e.g. `exportOf('@tollgate/core', 'validateRequest')`.
 *
 * @example
 * const part = exportOf('@tollgate/fastify', 'tollgate');
 * await part.present(settings); // false until @tollgate/fastify exists
 */
export function exportOf(name: TollgatePackage, exported: string): Part {
  return {
    label: `${name} ${exported}()`,
    present: async () => typeof (await loadPackage(name))?.[exported] === 'function',
  };
}

/** The exports of core that every full chain uses. */
export function fullChainParts(): Part[] {
  return ['inferenceLog', 'pinoAuditSink', 'resolveTenant', 'memoryTenantStore', 'validateRequest', 'authorize', 'rbac', 'rateLimit'].map((name) => exportOf('@tollgate/core', name));
}

const redisChecks = new Map<string, Promise<boolean>>();

/** A Redis server answering PING at the run's Redis URL (REDIS_URL, else redis://127.0.0.1:6379). */
export function redisServer(): Part {
  return {
    label: 'a Redis server at REDIS_URL (default redis://127.0.0.1:6379)',
    present(settings) {
      let check = redisChecks.get(settings.redisUrl);
      if (check === undefined) {
        const client = new Redis(settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
        client.on('error', () => undefined);
        check = client
          .connect()
          .then(() => client.ping())
          .then((answer) => answer === 'PONG', () => false)
          .finally(() => client.disconnect());
        redisChecks.set(settings.redisUrl, check);
      }
      return check;
    },
  };
}
