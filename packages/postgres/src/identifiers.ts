// Schema and table names are configuration, never request data; still, they are checked and quoted.
import { ConfigError } from '@tollgate/core';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A schema name (lower-case letters, digits, `_`, at most 63 characters), or `public`.
 *
 * @example
 * schemaName(undefined) // 'public'
 */
export function schemaName(value: string | undefined): string {
  if (value === undefined) return 'public';
  if (typeof value !== 'string' || !identifier.test(value)) {
    throw new ConfigError(`schema must be a lower-case identifier (letters, digits, _; at most 63 characters); got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An identifier in double quotes, for SQL text (the name was already checked). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
