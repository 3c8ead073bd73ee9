// Config of a store on a Redis or PostgreSQL server (keys, tenants, rate limits): the schemas, and the deferred store each builds.
import { z } from 'zod';
import { deferredKeyStore, deferredRateLimitStore, deferredTenantStore, type Deferred } from '../../deferred-store/deferred-stores.js';
import type { WritableKeyStore } from '../../key-store/key-store.js';
import type { RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import { remoteStoreSchemes, remoteStoreType, type RemoteStoreType } from '../../store-connection/store-location.js';
import { findStoreModule, openRemoteStore, type RemoteStores, type StoreModuleLoader, type StoreModules } from '../../store-connection/store-packages.js';
import type { WritableTenantStore } from '../../tenant-store/tenant-store.js';
import { wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';

const urlOf = (type: RemoteStoreType) =>
  z.string().refine((url) => remoteStoreType(url) === type, { error: `must start with ${remoteStoreSchemes[type]}` });
const timeoutMs = wholeNumberField(1, 600_000);

/** `type: redis`: a store in Redis, through `@tollgate/redis` (with `ioredis`). */
export const redisStoreSchema = z.strictObject({
  type: z.literal('redis'),
  /** `redis://…` or `rediss://…`, usually `${REDIS_URL}`. */
  url: urlOf('redis'),
  /** Start of every key (a Redis Cluster hash tag). @default the store's own: tg-keys, tg-tenants, tg-rl */
  prefix: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, { error: "must be 1-64 letters, digits, ':', '.', '_' or '-'" }).optional(),
  /** The startup check gives up after this. @default 5000 */
  connectTimeoutMs: timeoutMs.optional(),
  /** A command slower than this fails. @default 2000 */
  commandTimeoutMs: timeoutMs.optional(),
});

/** `type: postgres`: a store in PostgreSQL, through `@tollgate/postgres` (with `pg`), in tables made by its migrations. */
export const postgresStoreSchema = z.strictObject({
  type: z.literal('postgres'),
  /** `postgres://…` or `postgresql://…`, usually `${DATABASE_URL}`. */
  url: urlOf('postgres'),
  /** Where the tables are (`tollgate-postgres migrate --schema …`). @default 'public' */
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case identifier (letters, digits, _; at most 63 characters)' }).optional(),
  /** Pool size. @default 5 */
  maxConnections: wholeNumberField(2, 1_000).optional(),
  /** Connecting gives up after this. @default 5000 */
  connectTimeoutMs: timeoutMs.optional(),
  /** A query slower than this fails. @default 5000 */
  queryTimeoutMs: timeoutMs.optional(),
});

export type RemoteStoreConfig = z.infer<typeof redisStoreSchema> | z.infer<typeof postgresStoreSchema>;

/** Finds the package a server type needs: given in code, or as installed for the app. */
export type StorePackageFinder = <T extends RemoteStoreType>(type: T) => StoreModuleLoader<T>;

/**
 * How the config finds store packages: the modules given in code, else resolved from the config's
 * directory and then the working directory. The finder throws a ConfigError naming what to install.
 *
 * @example
 * const find = storePackageFinder('/etc/tollgate', undefined);
 * const load = find('redis');
 */
export function storePackageFinder(baseDir: string, modules: StoreModules | undefined): StorePackageFinder {
  return <T extends RemoteStoreType>(type: T): StoreModuleLoader<T> => {
    const given = modules?.[type];
    return given === undefined ? findStoreModule(type, [baseDir, process.cwd()]) : async () => given as NonNullable<StoreModules[T]>;
  };
}

/** Where a store that cannot be built is reported: a file at its path, a server store at its type (the package it needs). */
export function storeErrorPath(type: string): ConfigPath {
  return type === 'file' ? ['store', 'path'] : type === 'memory' ? ['store'] : ['store', 'type'];
}

/** A deferred store of each kind. */
interface DeferredStores {
  readonly key: WritableKeyStore & Deferred;
  readonly tenant: WritableTenantStore & Deferred;
  readonly rateLimit: RateLimitStore & Deferred;
}

const deferredOf = { key: deferredKeyStore, tenant: deferredTenantStore, rateLimit: deferredRateLimitStore } as const;

/**
 * The store a config names on a server, connecting in the background: `ready()` says when it is
 * there (or rejects with the StoreConnectionError, URL redacted), requests fail closed until then, and
 * a failed connection is retried. Throws a ConfigError at once when the package is not installed.
 *
 * @example
 * const keys = buildRemoteStore('key', { type: 'redis', url: 'redis://127.0.0.1:6379' }, storePackageFinder(baseDir, undefined));
 */
export function buildRemoteStore<K extends keyof DeferredStores>(kind: K, config: RemoteStoreConfig, find: StorePackageFinder): DeferredStores[K] {
  const { type, ...settings } = config;
  const load = find(type) as StoreModuleLoader<RemoteStoreType>;
  // A package that fails to load will not load on a retry.
  let loadFailed = false;
  const connect = async (): Promise<RemoteStores[K]> => {
    const module = await load().catch((error: unknown) => {
      loadFailed = true;
      throw error;
    });
    return openRemoteStore(kind, type, settings, module as never);
  };
  const make = deferredOf[kind] as unknown as (options: { connect: typeof connect; isPermanent: () => boolean }) => DeferredStores[K];
  return make({ connect, isPermanent: () => loadFailed });
}
