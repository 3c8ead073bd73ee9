// Reads the config schema by path: which keys a section knows, and what an interpolated string should become.
import type { $ZodType, $ZodTypes } from 'zod/v4/core';
import type { ConfigPath } from './config-path.js';

/** The concrete schemas a value may match, looking through optional/default wrappers and unions. */
function alternatives(schema: $ZodType): $ZodType[] {
  const def = (schema as $ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return alternatives(def.innerType);
    case 'pipe':
      return alternatives(def.in);
    case 'union':
      return def.options.flatMap(alternatives);
    default:
      return [schema];
  }
}

/**
 * The schemas a field at `path` may match (empty when the path leads nowhere in the schema).
 *
 * @example
 * schemasAt(configSchema, ['body', 'maxBytes']) // [ZodNumber]
 */
export function schemasAt(root: $ZodType, path: ConfigPath): $ZodType[] {
  let current = alternatives(root);
  for (const segment of path) {
    current = current.flatMap((schema) => {
      const def = (schema as $ZodTypes)._zod.def;
      if (typeof segment === 'string' && def.type === 'object') {
        const field = def.shape[segment];
        return field === undefined ? [] : alternatives(field);
      }
      if (typeof segment === 'number' && def.type === 'array') return alternatives(def.element);
      return [];
    });
  }
  return current;
}

/**
 * The keys the object schema(s) at `path` accept, sorted, for "unknown key" hints.
 *
 * @example
 * knownKeysAt(configSchema, ['errors']) // ['format', 'realm']
 */
export function knownKeysAt(root: $ZodType, path: ConfigPath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = (schema as $ZodTypes)._zod.def;
    if (def.type === 'object') for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys].sort();
}

const numeric = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * What an interpolated string becomes at `path`: a number where the schema takes a number (and no
 * string), a boolean where it takes a boolean; otherwise the string itself, for the schema to judge.
 *
 * @example
 * convertInterpolated(configSchema, ['body', 'maxBytes'], '2048') // 2048
 * convertInterpolated(configSchema, ['errors', 'realm'], '2048') // '2048'
 */
export function convertInterpolated(root: $ZodType, path: ConfigPath, text: string): unknown {
  const accepts = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = (schema as $ZodTypes)._zod.def;
    if (def.type === 'literal') for (const value of def.values) accepts.add(typeof value);
    else if (def.type === 'enum') accepts.add('string');
    else accepts.add(def.type);
  }
  if (accepts.has('string')) return text;
  if (accepts.has('number') && numeric.test(text)) return Number(text);
  if (accepts.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
