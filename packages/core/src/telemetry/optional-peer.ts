// Loads an optional peer dependency on demand, turning "not installed" into a clear ConfigError.
import { ConfigError } from '../errors/tollgate-error.js';

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  return error instanceof Error && /Cannot find (?:module|package)|Failed to (?:load|resolve)/i.test(error.message);
}

/**
 * Runs `load` (a dynamic `import()` of `name`); when the package is not installed, throws a
 * ConfigError that says which feature needs it and how to install it. Other failures pass through.
 *
 * @example
 * const client = await importOptionalPeer('prom-client', 'prometheusMetrics()', () => import('prom-client'));
 */
export async function importOptionalPeer<T>(name: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new ConfigError(`${feature} needs the optional peer dependency "${name}", which is not installed: run \`npm install ${name}\` (or pnpm add / yarn add)`);
  }
}
