// Opens the key or tenant store a command names: core's file stores, or the Redis and Postgres packages when installed.
import { fileKeyStore, fileTenantStore, type WritableKeyStore, type WritableTenantStore } from '@tollgate/core';
import { UsageError } from '../command.js';
import type { StoreLocation } from './store-location.js';

/** A store a command opened and must close. */
export type Opened<T> = T & { close?(): Promise<void> };

/** Settings that only some store types take. */
export interface StoreSettings {
  readonly prefix?: string;
  readonly schema?: string;
}

function wrongSetting(location: StoreLocation, settings: StoreSettings): void {
  if (settings.prefix !== undefined && location.type !== 'redis') throw new UsageError('--prefix applies to a Redis store only');
  if (settings.schema !== undefined && location.type !== 'postgres') throw new UsageError('--schema applies to a Postgres store only');
}

type Closable<T> = Promise<T & { close(): Promise<void> }>;

/** What the CLI uses of `@tollgate/redis` (an optional peer, loaded only for redis:// stores). */
interface RedisStores {
  redisKeyStore(options: { url: string; prefix?: string }): Closable<WritableKeyStore>;
  redisTenantStore(options: { url: string; prefix?: string }): Closable<WritableTenantStore>;
}

/** What the CLI uses of `@tollgate/postgres` (an optional peer, loaded only for postgres:// stores). */
interface PostgresStores {
  postgresKeyStore(options: { url: string; schema?: string; maxConnections?: number }): Closable<WritableKeyStore>;
  postgresTenantStore(options: { url: string; schema?: string; maxConnections?: number }): Closable<WritableTenantStore>;
}

/** Imports an optional store package by name; a clear usage error when it is not installed. */
async function load<T>(name: '@tollgate/redis' | '@tollgate/postgres', driver: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new UsageError(`this store needs ${name} and ${driver} installed next to @tollgate/cli (npm install ${name} ${driver}): ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The key store at `location`. A file store is opened without a watcher (the command is short-lived);
 * Redis and Postgres stores connect now and reject with a StoreConnectionError naming the redacted URL.
 *
 * @example
 * const store = await openKeyStore({ type: 'file', path: '/srv/keys.yaml' }, {});
 */
export async function openKeyStore(location: StoreLocation, settings: StoreSettings): Promise<Opened<WritableKeyStore>> {
  wrongSetting(location, settings);
  switch (location.type) {
    case 'file':
      return fileKeyStore({ path: location.path, watch: false });
    case 'redis': {
      const { redisKeyStore } = await load<RedisStores>('@tollgate/redis', 'ioredis');
      return redisKeyStore({ url: location.url, ...(settings.prefix === undefined ? {} : { prefix: settings.prefix }) });
    }
    case 'postgres': {
      const { postgresKeyStore } = await load<PostgresStores>('@tollgate/postgres', 'pg');
      return postgresKeyStore({ url: location.url, maxConnections: 2, ...(settings.schema === undefined ? {} : { schema: settings.schema }) });
    }
  }
}

/**
 * The tenant store at `location`, opened as {@link openKeyStore} opens a key store.
 *
 * @example
 * const store = await openTenantStore({ type: 'redis', url: 'redis://127.0.0.1:6379' }, {});
 */
export async function openTenantStore(location: StoreLocation, settings: StoreSettings): Promise<Opened<WritableTenantStore>> {
  wrongSetting(location, settings);
  switch (location.type) {
    case 'file':
      return fileTenantStore({ path: location.path, watch: false });
    case 'redis': {
      const { redisTenantStore } = await load<RedisStores>('@tollgate/redis', 'ioredis');
      return redisTenantStore({ url: location.url, ...(settings.prefix === undefined ? {} : { prefix: settings.prefix }) });
    }
    case 'postgres': {
      const { postgresTenantStore } = await load<PostgresStores>('@tollgate/postgres', 'pg');
      return postgresTenantStore({ url: location.url, maxConnections: 2, ...(settings.schema === undefined ? {} : { schema: settings.schema }) });
    }
  }
}
