// The startup checks every file-backed store makes on its options: a path, an onError function, an existing directory.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors/tollgate-error.js';

/**
 * Resolves a file store's path and format, or throws a ConfigError naming the factory.
 *
 * @example
 * const { file, format } = checkStoreFile(options, 'fileKeyStore', 'key file', keyFileFormat);
 */
export function checkStoreFile<Format>(
  options: { readonly path?: unknown; readonly onError?: unknown } | undefined,
  factory: string,
  what: string,
  formatOf: (file: string) => Format,
): { file: string; format: Format } {
  if (typeof options?.path !== 'string' || options.path === '') throw new ConfigError(`${factory}: path must be a non-empty string`);
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError(`${factory}: onError must be a function`);
  const file = resolve(options.path);
  const format = formatOf(file);
  let isDirectory = false;
  try {
    isDirectory = statSync(dirname(file)).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new ConfigError(`${factory}: the directory of ${what} ${file} does not exist`);
  return { file, format };
}
