// Config of a key store (`store:` of an apiKey method): the schema, and building the store it describes.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { fileKeyStore, type FileKeyStoreOptions } from '../../key-store/file-key-store.js';
import type { WritableKeyStore } from '../../key-store/key-store.js';
import { memoryKeyStore } from '../../key-store/memory-key-store.js';
import type { Deferred } from '../../deferred-store/deferred-stores.js';
import { buildRemoteStore, postgresStoreSchema, redisStoreSchema, type StorePackageFinder } from './remote-store.js';

const fileStoreSchema = z.strictObject({
  type: z.literal('file'),
  /** The key file (`.yaml`, `.yml` or `.json`); a relative path is relative to the config file's directory. */
  path: z
    .string()
    .min(1, { error: 'must not be empty' })
    .regex(/\.(ya?ml|json)$/i, { error: 'must end in .yaml, .yml or .json (the extension says its format)' }),
  /** Reload when the file changes on disk. @default true */
  watch: z.boolean().optional(),
});

/** An empty in-memory store, for apps that add keys in code. */
const memoryStoreSchema = z.strictObject({ type: z.literal('memory') });

/** Where an apiKey method finds key records: a file, memory, or a Redis or Postgres server. */
export const keyStoreSchema = z.discriminatedUnion('type', [fileStoreSchema, memoryStoreSchema, redisStoreSchema, postgresStoreSchema]);

export type KeyStoreConfig = z.infer<typeof keyStoreSchema>;

/**
 * The options `fileKeyStore()` gets for a file store: the path resolved against `baseDir`.
 *
 * @example
 * fileStoreOptions({ type: 'file', path: 'keys.yaml' }, '/etc/tollgate') // { path: '/etc/tollgate/keys.yaml' }
 */
export function fileStoreOptions(config: z.infer<typeof fileStoreSchema>, baseDir: string): FileKeyStoreOptions {
  const path = isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
  return { path, ...(config.watch === undefined ? {} : { watch: config.watch }) };
}

/** A key store built from a config; one on a server connects in the background and has `ready()`. */
export type ConfiguredKeyStore = WritableKeyStore & Partial<Deferred>;

/**
 * Builds the store a config describes. A file store reads its file now and throws a ConfigError
 * when it is invalid; a Redis or Postgres store connects in the background (a package that is not
 * installed is a ConfigError now). The caller owns the store and must `close()` it.
 *
 * @example
 * const store = buildKeyStore({ type: 'memory' }, process.cwd(), storePackageFinder(process.cwd(), undefined));
 */
export function buildKeyStore(config: KeyStoreConfig, baseDir: string, findPackage: StorePackageFinder): ConfiguredKeyStore {
  switch (config.type) {
    case 'file':
      return fileKeyStore(fileStoreOptions(config, baseDir));
    case 'memory':
      return memoryKeyStore();
    case 'redis':
    case 'postgres':
      return buildRemoteStore('key', config, findPackage);
  }
}
