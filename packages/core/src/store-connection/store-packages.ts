// The optional packages that hold Redis and Postgres stores: what core uses of them, and finding them as installed for the app.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/tollgate-error.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';
import type { WritableTenantStore } from '../tenant-store/tenant-store.js';
import type { RemoteStoreType } from './store-location.js';

/** The package and the driver it needs, per server type. */
export const storePackages: Readonly<Record<RemoteStoreType, { readonly name: string; readonly driver: string }>> = {
  redis: { name: '@tollgate/redis', driver: 'ioredis' },
  postgres: { name: '@tollgate/postgres', driver: 'pg' },
};

/** A store made from a URL, which owns its connection. */
export type Closable<T> = T & { close(): Promise<void> };

/** Connection settings of a Redis-backed store (see docs/stores.md). */
export interface RedisStoreSettings {
  readonly url: string;
  readonly prefix?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
}

/** Connection settings of a Postgres-backed store (see docs/stores.md). */
export interface PostgresStoreSettings {
  readonly url: string;
  readonly schema?: string;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
}

/** What core uses of `@tollgate/redis`; `await import('@tollgate/redis')` is one. */
export interface RedisStoreModule {
  redisKeyStore(options: RedisStoreSettings): Promise<Closable<WritableKeyStore>>;
  redisTenantStore(options: RedisStoreSettings): Promise<Closable<WritableTenantStore>>;
  connectRedisRateLimitStore(options: RedisStoreSettings): Promise<Closable<RateLimitStore>>;
}

/** What core uses of `@tollgate/postgres`; `await import('@tollgate/postgres')` is one. */
export interface PostgresStoreModule {
  postgresKeyStore(options: PostgresStoreSettings): Promise<Closable<WritableKeyStore>>;
  postgresTenantStore(options: PostgresStoreSettings): Promise<Closable<WritableTenantStore>>;
  postgresRateLimitStore(options: PostgresStoreSettings): Promise<Closable<RateLimitStore>>;
}

/**
 * Store packages given in code instead of found on disk: for bundled apps (a bundler cannot follow a
 * package loaded by name) and tests. `{ redis: await import('@tollgate/redis') }`.
 */
export interface StoreModules {
  readonly redis?: RedisStoreModule;
  readonly postgres?: PostgresStoreModule;
}

/** Loads the module of one server type (at most once). */
export type StoreModuleLoader<T extends RemoteStoreType> = () => Promise<NonNullable<StoreModules[T]>>;

/** The factory each kind of store has in each package. */
const factoryNames = {
  key: { redis: 'redisKeyStore', postgres: 'postgresKeyStore' },
  tenant: { redis: 'redisTenantStore', postgres: 'postgresTenantStore' },
  rateLimit: { redis: 'connectRedisRateLimitStore', postgres: 'postgresRateLimitStore' },
} as const;

// The build of core that runs: the package is loaded in the same format, so that it shares this copy of core.
const ownFormat = typeof __filename === 'string' ? 'require' : 'import';

/** The entry a package's `exports` names for this build's format (else `module` or `main`), as a file path. */
function moduleEntry(packageJson: string): string {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports?: unknown; module?: string; main?: string };
  let target: unknown = manifest.exports;
  if (target !== null && typeof target === 'object' && '.' in target) target = (target as Record<string, unknown>)['.'];
  for (const condition of [ownFormat, 'default']) {
    if (target !== null && typeof target === 'object' && condition in target) target = (target as Record<string, unknown>)[condition];
  }
  const entry = typeof target === 'string' ? target : ((ownFormat === 'import' ? manifest.module : undefined) ?? manifest.main ?? 'index.js');
  return join(dirname(packageJson), entry);
}

/**
 * Finds the package of a server type as the app installed it: resolved from each of `dirs` in turn
 * (the config file's directory, then the working directory), the way tools find their plugins, and
 * checks that its driver is installed next to it. Synchronous, so that a missing package is reported
 * with the rest of the config; the returned loader imports it when first called.
 * Throws a ConfigError naming what to install.
 *
 * @example
 * const load = findStoreModule('redis', [configDir, process.cwd()]);
 * const { redisKeyStore } = await load();
 */
export function findStoreModule<T extends RemoteStoreType>(type: T, dirs: readonly string[], packages = storePackages): StoreModuleLoader<T> {
  const { name, driver } = packages[type];
  for (const dir of dirs) {
    let packageJson: string;
    try {
      packageJson = createRequire(join(dir, 'tollgate.config.cjs')).resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    try {
      createRequire(packageJson).resolve(driver);
    } catch {
      throw new ConfigError(`store type ${type} needs the driver ${driver} installed next to ${name}: npm install ${driver}`);
    }
    const entry = pathToFileURL(moduleEntry(packageJson)).href;
    let loaded: Promise<NonNullable<StoreModules[T]>> | undefined;
    // A CommonJS build arrives as the default export when imported.
    const unwrap = (module: Record<string, unknown>) => (factoryNames.key[type] in module ? module : (module['default'] ?? module)) as NonNullable<StoreModules[T]>;
    return () => (loaded ??= import(entry).then(unwrap));
  }
  throw new ConfigError(`store type ${type} needs the package ${name} (and ${driver}) installed for your app: npm install ${name} ${driver}`);
}

/** The stores core opens from a URL. */
export interface RemoteStores {
  readonly key: Closable<WritableKeyStore>;
  readonly tenant: Closable<WritableTenantStore>;
  readonly rateLimit: Closable<RateLimitStore>;
}

/**
 * Opens a store of `kind` with the package module of its server type: connects and checks, and rejects
 * as the package's factory does (a StoreConnectionError naming the redacted URL, or a ConfigError).
 *
 * @example
 * const keys = await openRemoteStore('key', 'redis', { url: 'redis://127.0.0.1:6379' }, await import('@tollgate/redis'));
 */
export async function openRemoteStore<K extends keyof RemoteStores, T extends RemoteStoreType>(
  kind: K,
  type: T,
  settings: T extends 'redis' ? RedisStoreSettings : PostgresStoreSettings,
  module: NonNullable<StoreModules[T]>,
): Promise<RemoteStores[K]> {
  const factoryName = factoryNames[kind][type];
  const factory = (module as unknown as Record<string, unknown>)[factoryName];
  if (typeof factory !== 'function') throw new ConfigError(`the installed ${storePackages[type].name} has no ${factoryName}; update it`);
  return (await (factory as (options: typeof settings) => Promise<RemoteStores[K]>)(settings)) as RemoteStores[K];
}
