// Opens the key or tenant store a command names: core's file stores, or the Redis and Postgres packages when installed.
import {
  fileKeyStore,
  fileTenantStore,
  openRemoteStore,
  storePackages,
  type PostgresStoreModule,
  type RedisStoreModule,
  type RemoteStores,
  type StoreLocation,
  type WritableKeyStore,
  type WritableTenantStore,
} from '@tollgate/core';
import { UsageError } from '../command.js';

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

/** Imports an optional store package (a peer of @tollgate/cli) by name; a clear usage error when it is not installed. */
async function load(type: 'redis' | 'postgres'): Promise<RedisStoreModule | PostgresStoreModule> {
  const { name, driver } = storePackages[type];
  try {
    return (await import(name)) as RedisStoreModule | PostgresStoreModule;
  } catch (error) {
    throw new UsageError(`this store needs ${name} and ${driver} installed next to @tollgate/cli (npm install ${name} ${driver}): ${(error as Error).message.split('\n')[0]}`);
  }
}

/** A Redis or Postgres store of `kind`, connected now: rejects with a StoreConnectionError naming the redacted URL. */
async function openServerStore<K extends 'key' | 'tenant'>(kind: K, location: Extract<StoreLocation, { url: string }>, settings: StoreSettings): Promise<RemoteStores[K]> {
  const module = await load(location.type);
  // A command runs a few queries: a small pool, the LISTEN connection included.
  return location.type === 'redis'
    ? openRemoteStore(kind, 'redis', { url: location.url, ...(settings.prefix === undefined ? {} : { prefix: settings.prefix }) }, module as RedisStoreModule)
    : openRemoteStore(kind, 'postgres', { url: location.url, maxConnections: 2, ...(settings.schema === undefined ? {} : { schema: settings.schema }) }, module as PostgresStoreModule);
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
  return location.type === 'file' ? fileKeyStore({ path: location.path, watch: false }) : openServerStore('key', location, settings);
}

/**
 * The tenant store at `location`, opened as {@link openKeyStore} opens a key store.
 *
 * @example
 * const store = await openTenantStore({ type: 'redis', url: 'redis://127.0.0.1:6379' }, {});
 */
export async function openTenantStore(location: StoreLocation, settings: StoreSettings): Promise<Opened<WritableTenantStore>> {
  wrongSetting(location, settings);
  return location.type === 'file' ? fileTenantStore({ path: location.path, watch: false }) : openServerStore('tenant', location, settings);
}
