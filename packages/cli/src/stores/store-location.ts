// Where a key or tenant command's store is: a file path, redis://… or postgres://…, from --store or the environment.
import { ConfigError, describeStoreLocation, parseStoreLocation, type StoreLocation } from '@tollgate/core';
import { UsageError, type CliIo } from '../command.js';

export type { StoreLocation };

/** The options every key and tenant command takes for its store. */
export const storeOptions = {
  store: { type: 'string' },
  prefix: { type: 'string' },
  schema: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The usage lines of {@link storeOptions}; `envName` is the command family's own variable. */
export function storeUsage(envName: string, example: string): string {
  return `  --store LOCATION  a key file (${example}), redis://… or postgres://… (default: $${envName}, then $TOLLGATE_STORE)
  --prefix NAME     key prefix of a Redis store (default: the store's own)
  --schema NAME     schema of a Postgres store (default: public)
  --json            print JSON for scripts`;
}

/**
 * The location named by `--store`, else by `$<envName>`, else `$TOLLGATE_STORE`; a usage error when none is.
 *
 * @example
 * storeLocation(undefined, io, 'TOLLGATE_KEY_STORE') // { type: 'file', path: '/srv/app/keys.yaml' } with TOLLGATE_KEY_STORE=keys.yaml
 */
export function storeLocation(given: string | undefined, io: CliIo, envName: string): StoreLocation {
  const text = given ?? io.env[envName] ?? io.env['TOLLGATE_STORE'];
  if (text === undefined || text === '') throw new UsageError(`name the store with --store (a file, redis://… or postgres://…) or set ${envName}`);
  try {
    return parseStoreLocation(text, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The location for messages: the path, or the URL without its password. */
export const describeLocation = describeStoreLocation;
