// Validation issues as a reader wants them: one line per problem, `file:line:col path: what is wrong`.
import type { $ZodErrorMap, $ZodIssue, $ZodType } from 'zod/v4/core';
import { ConfigError } from '../errors/tollgate-error.js';
import { formatConfigPath, type ConfigPath } from './config-path.js';
import type { SourcePart, SourcePosition, SourceProblem } from './config-source.js';
import { knownKeysAt } from './schema-paths.js';

/** A problem with a field, before it is placed in the text. */
export interface FieldProblem {
  readonly path: ConfigPath;
  readonly message: string;
  readonly part?: SourcePart;
}

const expectedNames: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value pairs)',
  array: 'a list',
};

// Names the type of what was found, never the value itself: it may have come from an environment variable.
export function describeFound(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) ? 'a whole number' : 'a fractional number') : 'an infinite number';
  if (typeof value === 'boolean') return 'true/false';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

const listed = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * The messages of issues whose schema does not set its own. Passed to `safeParse` as its error map.
 *
 * @example
 * configSchema.safeParse(data, { error: configErrorMap });
 */
export const configErrorMap: $ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int' && typeof issue.input === 'number') return 'must be a whole number';
      return `expected ${expectedNames[issue.expected] ?? issue.expected}, got ${describeFound(issue.input)}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length === 1 ? `must be ${listed(issue.values)}` : `must be one of ${listed(issue.values)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must list at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_union': {
      const options = (issue.options ?? []) as readonly unknown[];
      if (issue.discriminator === undefined || options.length === 0) return 'does not match any allowed form';
      const input = issue.input as Record<string, unknown> | undefined;
      const given = typeof input === 'object' && input !== null ? input[issue.discriminator] : undefined;
      return given === undefined ? `is required: one of ${listed(options)}` : `must be one of ${listed(options)}`;
    }
    default:
      return 'is not valid';
  }
};

// A branch "has the right shape" unless it failed on the type of the value itself.
const shapeMismatch = (branch: readonly $ZodIssue[]): boolean =>
  branch.some((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'));

/**
 * Flattens zod issues into field problems: one per unknown key (pointing at the key, listing the known
 * ones), and for a union, the problems of the one form the value was evidently meant to have.
 *
 * @example
 * const result = configSchema.safeParse(data, { error: configErrorMap });
 * if (!result.success) fieldProblems(result.error.issues, configSchema);
 */
export function fieldProblems(issues: readonly $ZodIssue[], schema: $ZodType, prefix: ConfigPath = []): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      // The input (present when parsed with reportInput) tells which member of a union the object is.
      const known = knownKeysAt(schema, path, (issue as { input?: unknown }).input);
      const hint = known.length === 0 ? '' : `; expected one of: ${known.join(', ')}`;
      for (const key of issue.keys) out.push({ path: [...path, key], part: 'key', message: `unknown key ${JSON.stringify(key)}${hint}` });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !shapeMismatch(branch));
      if (meant.length === 1) {
        out.push(...fieldProblems(meant[0]!, schema, path));
        continue;
      }
    }
    out.push({ path, message: issue.message });
  }
  return out;
}

/**
 * One ConfigError listing every problem, in text order, as `source:line:col path: message`.
 *
 * @example
 * throw configError('tollgate.yaml', [{ position: { line: 3, col: 5 }, path: ['body'], message: 'is required' }]);
 */
export function configError(source: string, problems: readonly SourceProblem[], cause?: unknown): ConfigError {
  const sorted = [...problems].sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col);
  const lines = sorted.map(({ position, path, message }) => `  ${where(source, position)} ${path === undefined ? '' : `${formatConfigPath(path)}: `}${message}`);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new ConfigError(`Invalid configuration in ${source} (${count}):\n${lines.join('\n')}`, cause === undefined ? undefined : { cause });
}

function where(source: string, position: SourcePosition): string {
  return `${source}:${position.line}:${position.col}`;
}
