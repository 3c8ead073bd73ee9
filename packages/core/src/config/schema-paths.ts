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
      // A record (map of ids, as in an RBAC policy's `roles:`) has one schema for every key.
      if (typeof segment === 'string' && def.type === 'record') return alternatives(def.valueType);
      return [];
    });
  }
  return current;
}

/** False when `value` names, in a field the object schema fixes to a literal (a union's `type`), another member. */
function matchesLiterals(schema: $ZodType, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const def = (schema as $ZodTypes)._zod.def;
  if (def.type !== 'object') return true;
  return Object.entries(def.shape).every(([key, field]) => {
    const fieldDef = (field as $ZodTypes)._zod.def;
    const given = (value as Record<string, unknown>)[key];
    return fieldDef.type !== 'literal' || given === undefined || fieldDef.values.includes(given as never);
  });
}

/**
 * The keys the object schema(s) at `path` accept, sorted, for "unknown key" hints. With `value` (the
 * object found there), members of a discriminated union other than the one it names are left out.
 *
 * @example
 * knownKeysAt(configSchema, ['errors']) // ['format', 'realm']
 * knownKeysAt(configSchema, ['authenticate', 'methods', 0], { type: 'jwt' }) // the jwt method's keys only
 */
export function knownKeysAt(root: $ZodType, path: ConfigPath, value?: unknown): string[] {
  const objects = schemasAt(root, path).filter((schema) => (schema as $ZodTypes)._zod.def.type === 'object');
  const members = objects.filter((schema) => matchesLiterals(schema, value));
  const keys = new Set<string>();
  // When no member matches (a wrong `version: 2` beside the typo), every key is still a useful hint.
  for (const schema of members.length > 0 ? members : objects) {
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
