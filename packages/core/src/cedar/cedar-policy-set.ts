// Parses a Cedar policy set once: ids from @id, the annotations tollgate reads, validation against a schema, preparsing.
import { randomBytes } from 'node:crypto';
import type { PolicyFact } from '../authorize/policy-provider.js';
import { ConfigError } from '../errors/tollgate-error.js';
import type { CedarDetailedError, CedarEngine } from './cedar-engine.js';

/** What tollgate knows about one policy. */
export interface CedarPolicyInfo {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** `@message("…")`: the client-safe reason of a denial. */
  readonly message?: string;
  /** `@fallback("model")`: route to this model instead of denying. */
  readonly fallback?: string;
  /** `@conceal`: answer as if the model did not exist. */
  readonly conceal: boolean;
  /** `@requiredScope("scope")`: the denial is a scope shortfall. */
  readonly requiredScope?: string;
}

/** A policy set parsed and preparsed once, ready for stateful authorization calls. */
export interface ParsedCedarPolicies {
  /** Preparsed policy set id, for statefulIsAuthorized. */
  readonly setId: string;
  /** Preparsed schema name, when a schema was given. */
  readonly schemaName: string | undefined;
  /** Policies by id, in source order. */
  readonly policies: ReadonlyMap<string, CedarPolicyInfo>;
  /** The policies by id as text, for partial evaluation. */
  readonly texts: Readonly<Record<string, string>>;
  /** Facts some policy refers to (`tenant`, `inference`; `model` always, for model actions). */
  readonly factsUsed: ReadonlySet<PolicyFact>;
}

/** `file:line:col` for an offset into `text`. */
function place(text: string, source: string, offset: number | undefined): string {
  if (offset === undefined) return source;
  const before = text.slice(0, offset).split('\n');
  return `${source}:${before.length}:${before[before.length - 1]!.length + 1}`;
}

function describe(errors: readonly CedarDetailedError[], text: string, source: string): string {
  return errors
    .slice(0, 10)
    .map((e) => `  ${place(text, source, e.sourceLocations?.[0]?.start)} ${e.message}${e.help ? ` (${e.help})` : ''}`)
    .join('\n');
}

let counter = 0;
const uniqueName = (kind: string): string => `tollgate-${kind}-${++counter}-${randomBytes(4).toString('hex')}`;

/**
 * Parses and checks the policies (and the schema, when given) once. Throws a ConfigError naming the
 * place of every syntax error, duplicate id, template (not supported) or schema validation error.
 *
 * @example
 * const parsed = parseCedarPolicies(engine, readFileSync('policies.cedar', 'utf8'), 'policies.cedar', schemaText);
 */
export function parseCedarPolicies(engine: CedarEngine, text: string, source: string, schema: string | object | undefined): ParsedCedarPolicies {
  const parts = engine.policySetTextToParts(text);
  if (parts.type === 'failure') throw new ConfigError(`Invalid Cedar policies in ${source}:\n${describe(parts.errors, text, source)}`);
  if (parts.policy_templates.length > 0) throw new ConfigError(`Cedar policies in ${source}: templates are not supported; write static policies`);
  if (parts.policies.length === 0) throw new ConfigError(`Cedar policies in ${source}: there are no policies, so nothing would ever be allowed`);
  const policies = new Map<string, CedarPolicyInfo>();
  const texts: Record<string, string> = {};
  const factsUsed = new Set<PolicyFact>(['model']);
  parts.policies.forEach((policyText, index) => {
    const json = engine.policyToJson(policyText);
    if (json.type === 'failure') throw new ConfigError(`Invalid Cedar policy #${index + 1} in ${source}:\n${describe(json.errors, policyText, source)}`);
    const notes = json.json.annotations ?? {};
    const id = notes['id'] ?? `policy${index}`;
    if (!/^[\x21-\x7e][\x20-\x7e]{0,127}$/.test(id)) throw new ConfigError(`Cedar policies in ${source}: @id ${JSON.stringify(id)} must be 1-128 printable ASCII characters (it is shown to clients)`);
    if (policies.has(id)) throw new ConfigError(`Cedar policies in ${source}: two policies have the id "${id}"; @id values must be unique`);
    const ast = JSON.stringify(json.json);
    if (ast.includes('Tollgate::Tenant') || ast.includes('"tenant"')) factsUsed.add('tenant');
    if (ast.includes('"Var":"context"')) factsUsed.add('inference');
    policies.set(id, {
      id,
      effect: json.json.effect,
      conceal: 'conceal' in notes,
      ...(notes['message'] ? { message: notes['message'] } : {}),
      ...(notes['fallback'] ? { fallback: notes['fallback'] } : {}),
      ...(notes['requiredScope'] ? { requiredScope: notes['requiredScope'] } : {}),
    });
    texts[id] = policyText;
  });
  let schemaName: string | undefined;
  if (schema !== undefined) {
    schemaName = uniqueName('schema');
    const schemaSource = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const parsedSchema = engine.preparseSchema(schemaName, schema);
    if (parsedSchema.type === 'failure') throw new ConfigError(`Invalid Cedar schema:\n${describe(parsedSchema.errors, schemaSource, 'schema')}`);
    const checked = engine.validate({ schema, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
    if (checked.type === 'failure') throw new ConfigError(`Cedar policies in ${source} could not be validated:\n${describe(checked.errors, text, source)}`);
    if (checked.validationErrors.length > 0) {
      const ids = [...policies.keys()];
      const named = checked.validationErrors.map((v) => ({ ...v.error, message: `${ids[Number(v.policyId.replace('policy', ''))] ?? v.policyId}: ${v.error.message}` }));
      throw new ConfigError(`Cedar policies in ${source} do not match the schema:\n${describe(named, text, source)}`);
    }
  }
  const setId = uniqueName('policies');
  const preparsed = engine.preparsePolicySet(setId, { staticPolicies: texts });
  if (preparsed.type === 'failure') throw new ConfigError(`Invalid Cedar policies in ${source}:\n${describe(preparsed.errors, text, source)}`);
  return { setId, schemaName, policies, texts, factsUsed };
}
