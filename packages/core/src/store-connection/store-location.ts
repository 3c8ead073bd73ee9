// Where a store is, from one string: a key or tenant file, redis://… or postgres://… (the CLI's --store, the config's store URLs).
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors/tollgate-error.js';
import { redactUrl } from './redact-url.js';

/** A server a store can live on, each served by its own package. */
export type RemoteStoreType = 'redis' | 'postgres';

/** A store location, classified. */
export type StoreLocation =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: RemoteStoreType; readonly url: string };

/**
 * The server type a connection URL names by its scheme, or undefined for any other text.
 *
 * @example
 * remoteStoreType('rediss://cache:6380') // 'redis'
 * remoteStoreType('postgresql://db/app') // 'postgres'
 */
export function remoteStoreType(url: string): RemoteStoreType | undefined {
  if (/^rediss?:\/\//.test(url)) return 'redis';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  return undefined;
}

/** What a URL of each type must start with, for messages. */
export const remoteStoreSchemes: Readonly<Record<RemoteStoreType, string>> = {
  redis: 'redis:// or rediss://',
  postgres: 'postgres:// or postgresql://',
};

/**
 * Classifies a store location: a URL of a supported server, or a `.yaml`/`.yml`/`.json` file (a relative
 * path resolved against `baseDir`). Anything else is a ConfigError that never repeats a password.
 *
 * @example
 * parseStoreLocation('keys.yaml', '/srv/app') // { type: 'file', path: '/srv/app/keys.yaml' }
 * parseStoreLocation('redis://127.0.0.1:6379', '/srv/app') // { type: 'redis', url: 'redis://127.0.0.1:6379' }
 */
export function parseStoreLocation(text: string, baseDir: string): StoreLocation {
  const type = remoteStoreType(text);
  if (type !== undefined) return { type, url: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new ConfigError(`unsupported store ${redactUrl(text)}: use a .yaml/.yml/.json file, redis://… or postgres://…`);
  if (!/\.(ya?ml|json)$/i.test(text)) throw new ConfigError(`the store file ${text} must end in .yaml, .yml or .json`);
  return { type: 'file', path: isAbsolute(text) ? text : resolve(baseDir, text) };
}

/**
 * The location for messages and logs: the path, or the URL without its password.
 *
 * @example
 * describeStoreLocation({ type: 'postgres', url: 'postgres://app:pw@db/prod' }) // 'postgres://app:***@db/prod'
 */
export function describeStoreLocation(location: StoreLocation): string {
  return location.type === 'file' ? location.path : redactUrl(location.url);
}
