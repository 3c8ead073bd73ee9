// Reads an RBAC policy from YAML/JSON text or an object: syntax, schema and cross-reference problems, each with its place.
import { extname } from 'node:path';
import { formatConfigPath } from '../config/config-path.js';
import { configErrorMap, fieldProblems, type FieldProblem } from '../config/config-problems.js';
import { parseSource, type ConfigFormat, type SourcePosition } from '../config/config-source.js';
import { ConfigError } from '../errors/tollgate-error.js';
import type { CompiledRbacPolicy } from './compiled-rbac-policy.js';
import { compileRbacPolicy } from './compile-rbac-policy.js';
import { rbacPolicySchema } from './rbac-policy-schema.js';

type Locate = (problem: FieldProblem) => SourcePosition | undefined;

function policyError(source: string, problems: readonly { position?: SourcePosition | undefined; path?: readonly (string | number)[]; message: string }[]): ConfigError {
  const sorted = [...problems].sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0));
  const lines = sorted.map(({ position, path, message }) => {
    const where = position === undefined ? source : `${source}:${position.line}:${position.col}`;
    return `  ${where} ${path === undefined ? '' : `${formatConfigPath(path)}: `}${message}`;
  });
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new ConfigError(`Invalid RBAC policy in ${source} (${count}):\n${lines.join('\n')}`);
}

function validate(data: unknown, source: string, locate: Locate): CompiledRbacPolicy {
  if (data === null || data === undefined) throw policyError(source, [{ position: { line: 1, col: 1 }, message: 'the policy is empty; it needs at least roles' }]);
  const place = (problems: readonly FieldProblem[]) => problems.map((p) => ({ position: locate(p), path: p.path, message: p.message }));
  const result = rbacPolicySchema.safeParse(data, { error: configErrorMap });
  if (!result.success) throw policyError(source, place(fieldProblems(result.error.issues, rbacPolicySchema)));
  const compiled = compileRbacPolicy(result.data);
  if (!compiled.ok) throw policyError(source, place(compiled.problems));
  return compiled.policy;
}

/**
 * The format of a policy file from its extension (`.yaml`, `.yml`, `.json`); throws a ConfigError otherwise.
 *
 * @example
 * rbacPolicyFormat('./policy.yaml') // 'yaml'
 */
export function rbacPolicyFormat(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new ConfigError(`RBAC policy file ${path} must end in .yaml, .yml or .json to say its format; got "${ext}"`);
}

/**
 * Parses, validates and compiles policy text. Throws one ConfigError listing every problem as
 * `source:line:col path: message` (unknown fields, wrong types, undefined roles or permissions,
 * inheritance cycles, actions that name nothing), in file order.
 *
 * @example
 * const policy = readRbacPolicyText(readFileSync('policy.yaml', 'utf8'), 'yaml', 'policy.yaml');
 */
export function readRbacPolicyText(text: string, format: ConfigFormat, source: string): CompiledRbacPolicy {
  const parsed = parseSource(text, format);
  if (!parsed.ok) throw policyError(source, parsed.problems);
  return validate(parsed.data, source, (p) => parsed.locate(p.path, p.part));
}

/**
 * Validates and compiles a policy given as an object (no lines to point at: problems name their path).
 *
 * @example
 * const policy = readRbacPolicyObject({ roles: { analyst: { permissions: ['chat'] } }, permissions: { chat: { actions: ['inference:chat'] } } });
 */
export function readRbacPolicyObject(value: unknown, source = 'rbac({ policy })'): CompiledRbacPolicy {
  return validate(value, source, () => undefined);
}
