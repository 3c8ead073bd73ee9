// Startup checks for factory options: each returns the value (or its default) or throws a ConfigError naming the option.
import { ConfigError } from '../errors/tollgate-error.js';

/** A whole number within [min, max], or the default when undefined. */
export function wholeNumber(value: number | undefined, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A list of lower-case HTTP header names. */
export function headerNames(value: readonly string[] | undefined, name: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw new ConfigError(`${name} must be a list of header names`);
  return value.map((h: unknown) => {
    if (typeof h !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(h)) {
      throw new ConfigError(`${name} has an invalid header name: ${JSON.stringify(h)}`);
    }
    return h.toLowerCase();
  });
}
