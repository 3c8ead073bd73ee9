// The key prefix of a Redis store: checked once, used inside a Cluster hash tag so one script can touch every key.
import { ConfigError } from '@tollgate/core';

/**
 * The prefix, or `fallback` when absent; throws a ConfigError for anything but 1-64 letters, digits,
 * `:`, `.`, `_` or `-` (braces would break the hash tag).
 *
 * @example
 * checkedPrefix(undefined, 'tg-keys', 'redisKeyStore') // 'tg-keys'
 */
export function checkedPrefix(value: string | undefined, fallback: string, store: string): string {
  const prefix = value ?? fallback;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9:._-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`${store}: prefix must be 1-64 letters, digits, ':', '.', '_' or '-'; got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}
