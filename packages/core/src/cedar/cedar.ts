// The Cedar policy provider: policies (and schema) parsed once into a preparsed set, entities built per request.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuthorizationRequest, ExplanationStep, PolicyDecision, PolicyFact, PolicyProvider } from '../authorize/policy-provider.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { CedarDecisionCache, type CedarOutcome } from './cedar-decision-cache.js';
import { loadCedarEngine, type CedarEngine } from './cedar-engine.js';
import { parseCedarPolicies, type ParsedCedarPolicies } from './cedar-policy-set.js';
import { cedarCall } from './cedar-request.js';

/** Options of {@link cedar}: the policies as text or a file, and optionally a schema. */
export interface CedarOptions {
  /** Policies in Cedar syntax. Give this or `policiesFile`. */
  readonly policies?: string;
  /** A `.cedar` file with the policies, read once at startup. */
  readonly policiesFile?: string;
  /** A schema (Cedar schema text or its JSON form) to validate the policies and each request against; see `tollgateCedarSchema`. */
  readonly schema?: string | object;
  /** A file with the schema in Cedar syntax (`.cedarschema`) or JSON (`.json`). */
  readonly schemaFile?: string;
  /**
   * Reuse evaluations: a bounded LRU keyed by everything Cedar is given for a request (principal and
   * its roles, scopes and tenant, action, resource, context). `false` evaluates every request.
   * @default { maxEntries: 10000, ttlMs: 60000 }
   */
  readonly cache?:
    | false
    | {
        /** Most evaluations kept; the least recently used go first. @default 10000 */
        readonly maxEntries?: number;
        /** How long an evaluation is reused. @default 60000 */
        readonly ttlMs?: number;
      };
  /** Clock of the cache, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The Cedar provider. */
export interface CedarProvider extends PolicyProvider {
  readonly name: 'cedar';
  /** The version of the Cedar engine in use. */
  readonly cedarVersion: string;
  /** The evaluation cache (undefined with `cache: false`). */
  readonly cache: CedarDecisionCache | undefined;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new ConfigError(`cedar: cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

type Outcome = CedarOutcome;

function evaluate(engine: CedarEngine, parsed: ParsedCedarPolicies, request: AuthorizationRequest, cache: CedarDecisionCache | undefined): Outcome {
  const partial = request.missing.some((fact) => parsed.factsUsed.has(fact));
  const call = cedarCall(request, partial);
  if (cache === undefined) return evaluateCall(engine, parsed, call, partial);
  // The key is the engine's whole input: equal keys are equal questions, whatever else the request holds.
  const key = `${partial ? 'p' : 's'}${JSON.stringify(call)}`;
  return cache.get(key) ?? cache.set(key, evaluateCall(engine, parsed, call, partial));
}

function evaluateCall(engine: CedarEngine, parsed: ParsedCedarPolicies, call: ReturnType<typeof cedarCall>, partial: boolean): Outcome {
  if (!partial && call.resource !== null) {
    const schema = parsed.schemaName === undefined ? {} : { preparsedSchemaName: parsed.schemaName, validateRequest: true };
    const answer = engine.statefulIsAuthorized({ ...call, resource: call.resource, preparsedPolicySetId: parsed.setId, ...schema });
    if (answer.type === 'failure') throw new TollgateError('TG_INTERNAL', { cause: new Error(`cedar: ${answer.errors.map((e) => e.message).join('; ')}`) });
    const { errors, reason } = answer.response.diagnostics;
    // Cedar skips a policy that errors; a skipped forbid would turn into an allow, so any error fails closed.
    if (errors.length > 0) throw new TollgateError('TG_INTERNAL', { cause: new Error(`cedar: ${errors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ')}`) });
    return { decision: answer.response.decision, determining: reason };
  }
  const residual = engine.isAuthorizedPartial({ ...call, policies: { staticPolicies: parsed.texts } });
  if (residual.type === 'failure') throw new TollgateError('TG_INTERNAL', { cause: new Error(`cedar: ${residual.errors.map((e) => e.message).join('; ')}`) });
  const { decision, errored, satisfied } = residual.response;
  return { decision: errored.length > 0 ? null : decision, determining: satisfied };
}

function toDecision(parsed: ParsedCedarPolicies, request: AuthorizationRequest, outcome: Outcome): PolicyDecision {
  if (outcome.decision === null) {
    const missing = request.missing.filter((fact): fact is PolicyFact => parsed.factsUsed.has(fact));
    return { allow: false, rule: 'default-deny', reason: 'The policy needs facts this server does not provide.', missing };
  }
  const wanted = outcome.decision === 'allow' ? 'permit' : 'forbid';
  const decisive = [...parsed.policies.values()].find((p) => p.effect === wanted && outcome.determining.includes(p.id));
  if (outcome.decision === 'allow') return { allow: true, rule: decisive?.id ?? 'permit' };
  if (decisive === undefined) {
    const on = request.resource.type === 'model' ? ' on this model' : '';
    return { allow: false, rule: 'default-deny', reason: `No rule of the policy allows "${request.action}"${on}.` };
  }
  return {
    allow: false,
    rule: decisive.id,
    reason: decisive.message ?? `Forbidden by rule "${decisive.id}".`,
    ...(decisive.conceal ? { conceal: true } : {}),
    ...(decisive.requiredScope === undefined ? {} : { requiredScope: decisive.requiredScope }),
    ...(decisive.fallback === undefined ? {} : { obligations: [{ type: 'fallback-model' as const, model: decisive.fallback }] }),
  };
}

/**
 * Builds the Cedar provider. `@cedar-policy/cedar-wasm` is loaded here, on first use (it is an optional
 * peer dependency; without it this rejects with a ConfigError saying how to install it). Policies and
 * schema are parsed, validated and preparsed once; a request costs building a few entities and one
 * evaluation. Annotations: `@id("rule")` names a policy in 403s and records, `@message("…")` is the
 * client-safe reason, `@fallback("model")` routes a forbidden request to that model, `@conceal`
 * answers as if the model did not exist, `@requiredScope("s")` makes the denial an insufficient_scope.
 * A policy that errors at evaluation fails the request closed (500), since Cedar would skip it.
 *
 * @example
 * const provider = await cedar({ policiesFile: './policies.cedar', schema: tollgateCedarSchema });
 * const tg = gate({ authenticate, authorize: authorize({ provider }) });
 */
export async function cedar(options: CedarOptions, engineLoader: () => Promise<CedarEngine> = loadCedarEngine): Promise<CedarProvider> {
  if (options === null || typeof options !== 'object') throw new ConfigError('cedar: options must be an object');
  if ((options.policies === undefined) === (options.policiesFile === undefined)) throw new ConfigError('cedar: give exactly one of options.policies and options.policiesFile');
  if (options.schema !== undefined && options.schemaFile !== undefined) throw new ConfigError('cedar: give at most one of options.schema and options.schemaFile');
  const source = options.policiesFile === undefined ? 'cedar({ policies })' : resolve(options.policiesFile);
  const text = options.policies ?? readText(options.policiesFile!, 'policies file');
  if (typeof text !== 'string') throw new ConfigError('cedar: options.policies must be a string of Cedar policies');
  let schema = options.schema;
  if (options.schemaFile !== undefined) {
    const schemaText = readText(options.schemaFile, 'schema file');
    try {
      schema = options.schemaFile.toLowerCase().endsWith('.json') ? (JSON.parse(schemaText) as object) : schemaText;
    } catch (error) {
      throw new ConfigError(`cedar: schema file ${options.schemaFile} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const cacheOption = options.cache;
  if (cacheOption !== undefined && cacheOption !== false && (cacheOption === null || typeof cacheOption !== 'object')) throw new ConfigError('cedar: cache must be false or { maxEntries, ttlMs }');
  if (options.now !== undefined && typeof options.now !== 'function') throw new ConfigError('cedar: now must be a function returning milliseconds');
  const cacheSettings =
    cacheOption === false
      ? undefined
      : {
          maxEntries: wholeNumber(cacheOption?.maxEntries, 'cedar.cache.maxEntries', 10_000, 1, 10_000_000),
          ttlMs: wholeNumber(cacheOption?.ttlMs, 'cedar.cache.ttlMs', 60_000, 1, 86_400_000),
          now: options.now ?? Date.now,
        };
  const engine = await engineLoader();
  const parsed = parseCedarPolicies(engine, text, source, schema);
  // One cache per parsed policy set: whatever replaces the set must replace the cache with it.
  const cache = cacheSettings === undefined ? undefined : new CedarDecisionCache(cacheSettings);
  const mayRouteModels = [...parsed.policies.values()].some((p) => p.fallback !== undefined);
  return {
    name: 'cedar',
    cedarVersion: engine.getCedarVersion(),
    mayRouteModels,
    cache,
    // A cached evaluation gives exactly the decision a fresh one would: nothing marks it as cached.
    decide: (request) => toDecision(parsed, request, evaluate(engine, parsed, request, cache)),
    explain(request) {
      const outcome = evaluate(engine, parsed, request, cache);
      const steps: ExplanationStep[] = [...parsed.policies.values()].map((p) => ({
        rule: p.id,
        effect: p.effect,
        applies: outcome.determining.includes(p.id),
        why: outcome.determining.includes(p.id) ? 'satisfied' : 'not satisfied',
      }));
      return { decision: toDecision(parsed, request, outcome), steps };
    },
  };
}
