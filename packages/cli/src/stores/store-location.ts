// Where a key or tenant command's store is: a file path, redis://… or postgres://…, from --store or the environment.
import { isAbsolute, resolve } from 'node:path';
import { redactUrl } from '@tollgate/core';
import { UsageError, type CliIo } from '../command.js';

/** A store location as given, classified. */
export type StoreLocation =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'redis'; readonly url: string }
  | { readonly type: 'postgres'; readonly url: string };

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
  if (/^rediss?:\/\//.test(text)) return { type: 'redis', url: text };
  if (/^postgres(ql)?:\/\//.test(text)) return { type: 'postgres', url: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new UsageError(`unsupported store ${redactUrl(text)}: use a .yaml/.yml/.json file, redis://… or postgres://…`);
  if (!/\.(ya?ml|json)$/i.test(text)) throw new UsageError(`the store file ${text} must end in .yaml, .yml or .json`);
  return { type: 'file', path: isAbsolute(text) ? text : resolve(io.cwd, text) };
}

/** The location for messages: the path, or the URL without its password. */
export function describeLocation(location: StoreLocation): string {
  return location.type === 'file' ? location.path : redactUrl(location.url);
}
