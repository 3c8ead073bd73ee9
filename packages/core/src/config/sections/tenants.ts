// Config section `tenants`: where tenants live (a hot-reloaded file, the config itself, or a Redis or Postgres server).
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { fileTenantStore } from '../../tenant-store/file-tenant-store.js';
import { memoryTenantStore } from '../../tenant-store/memory-tenant-store.js';
import { tenantRecordSchema } from '../../tenant-store/tenant-record-schema.js';
import type { WritableTenantStore } from '../../tenant-store/tenant-store.js';
import type { Deferred } from '../../deferred-store/deferred-stores.js';
import { buildRemoteStore, postgresStoreSchema, redisStoreSchema, type StorePackageFinder } from './remote-store.js';

const fileStoreSchema = z.strictObject({
  type: z.literal('file'),
  /** The tenant file (`.yaml`, `.yml` or `.json`); a relative path is relative to the config file's directory. */
  path: z
    .string()
    .min(1, { error: 'must not be empty' })
    .regex(/\.(ya?ml|json)$/i, { error: 'must end in .yaml, .yml or .json (the extension says its format)' }),
  /** Reload when the file changes on disk. @default true */
  watch: z.boolean().optional(),
});

/** Tenants listed in the config itself (changes need a restart), or none, for apps that add them in code. */
const memoryStoreSchema = z.strictObject({
  type: z.literal('memory'),
  /** @default [] */
  tenants: z.array(tenantRecordSchema).optional(),
});

/** The tenant store: a file, the config itself, or a Redis or Postgres server. */
export const tenantsSchema = z.strictObject({
  store: z.discriminatedUnion('type', [fileStoreSchema, memoryStoreSchema, redisStoreSchema, postgresStoreSchema]),
});

export type TenantsConfig = z.infer<typeof tenantsSchema>;

/** A tenant store built from a config; one on a server connects in the background and has `ready()`. */
export type ConfiguredTenantStore = WritableTenantStore & Partial<Deferred>;

/**
 * Builds the store a config describes. A file store reads its file now and throws a ConfigError
 * (naming the file and line) when it is invalid; a Redis or Postgres store connects in the background
 * (a package that is not installed is a ConfigError now). The caller owns the store and must `close()` it.
 *
 * @example
 * const store = buildTenantStore({ store: { type: 'file', path: 'tenants.yaml' } }, '/etc/tollgate', storePackageFinder('/etc/tollgate', undefined));
 */
export function buildTenantStore(config: TenantsConfig, baseDir: string, findPackage: StorePackageFinder): ConfiguredTenantStore {
  const { store } = config;
  switch (store.type) {
    case 'file':
      return fileTenantStore({ path: isAbsolute(store.path) ? store.path : resolve(baseDir, store.path), ...(store.watch === undefined ? {} : { watch: store.watch }) });
    case 'memory':
      return memoryTenantStore(store.tenants ?? []);
    case 'redis':
    case 'postgres':
      return buildRemoteStore('tenant', store, findPackage);
  }
}
