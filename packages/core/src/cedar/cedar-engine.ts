// The slice of @cedar-policy/cedar-wasm tollgate uses, typed here (the package is an optional peer), and its lazy loading.
import { ConfigError } from '../errors/tollgate-error.js';

/** An error as Cedar reports it; offsets point into the text that was parsed. */
export interface CedarDetailedError {
  readonly message: string;
  readonly help?: string | null;
  readonly sourceLocations?: readonly { readonly start: number; readonly end: number }[];
}

/** Cedar's JSON form of an entity reference. */
export interface CedarUid {
  readonly type: string;
  readonly id: string;
}

/** A Cedar value in JSON form (`{ __entity: … }`, `{ __extn: … }`, records, sets, primitives). */
export type CedarValue = string | number | boolean | readonly CedarValue[] | { readonly [key: string]: CedarValue } | null;

/** An entity in Cedar's JSON form. */
export interface CedarEntity {
  readonly uid: CedarUid;
  readonly attrs: Readonly<Record<string, CedarValue>>;
  readonly parents: readonly CedarUid[];
  readonly tags?: Readonly<Record<string, CedarValue>>;
}

type Answer<T> = ({ readonly type: 'success' } & T) | { readonly type: 'failure'; readonly errors: readonly CedarDetailedError[] };

/** The policy sets Cedar accepts: text, or policies by id. */
export interface CedarPolicySet {
  readonly staticPolicies: string | Readonly<Record<string, string>>;
}

export interface CedarResponse {
  readonly decision: 'allow' | 'deny';
  readonly diagnostics: { readonly reason: readonly string[]; readonly errors: readonly { readonly policyId: string; readonly error: CedarDetailedError }[] };
}

export interface CedarResidualResponse {
  readonly decision: 'allow' | 'deny' | null;
  readonly satisfied: readonly string[];
  readonly errored: readonly string[];
}

/** The functions of `@cedar-policy/cedar-wasm/nodejs` tollgate calls. */
export interface CedarEngine {
  getCedarVersion(): string;
  policySetTextToParts(text: string): Answer<{ readonly policies: readonly string[]; readonly policy_templates: readonly string[] }>;
  policyToJson(policy: string): Answer<{ readonly json: { readonly effect: 'permit' | 'forbid'; readonly annotations?: Readonly<Record<string, string | null>> } }>;
  preparsePolicySet(id: string, policies: CedarPolicySet): Answer<object>;
  preparseSchema(name: string, schema: string | object): Answer<object>;
  validate(call: { schema: string | object; policies: CedarPolicySet; validationSettings: { mode: 'strict' } }): Answer<{
    readonly validationErrors: readonly { readonly policyId: string; readonly error: CedarDetailedError }[];
  }>;
  statefulIsAuthorized(call: {
    principal: CedarUid;
    action: CedarUid;
    resource: CedarUid;
    context: Record<string, CedarValue>;
    entities: readonly CedarEntity[];
    preparsedPolicySetId: string;
    preparsedSchemaName?: string;
    validateRequest?: boolean;
  }): Answer<{ readonly response: CedarResponse }>;
  isAuthorizedPartial(call: {
    principal: CedarUid;
    action: CedarUid;
    resource: CedarUid | null;
    context: Record<string, CedarValue>;
    entities: readonly CedarEntity[];
    policies: CedarPolicySet;
  }): { readonly type: 'residuals'; readonly response: CedarResidualResponse } | { readonly type: 'failure'; readonly errors: readonly CedarDetailedError[] };
}

/** The module tollgate loads: the Node build, which instantiates the WebAssembly synchronously on import. */
export const cedarModule = '@cedar-policy/cedar-wasm/nodejs';

/**
 * Imports the Cedar engine on first use. A missing package is a ConfigError that says how to install
 * it; any other failure to load is a ConfigError with the cause.
 *
 * @example
 * const engine = await loadCedarEngine();
 * engine.getCedarVersion(); // '4.x'
 */
export async function loadCedarEngine(specifier: string = cedarModule): Promise<CedarEngine> {
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new ConfigError(`cedar: the Cedar engine is not installed; add it with \`npm install @cedar-policy/cedar-wasm\` (an optional peer dependency of @tollgate/core). Could not load "${specifier}".`, { cause: error });
    }
    throw new ConfigError(`cedar: the Cedar engine "${specifier}" failed to load: ${(error as Error).message}`, { cause: error });
  }
  // CommonJS builds arrive as the default export when imported from ESM.
  const module = loaded as Partial<CedarEngine> & { default?: Partial<CedarEngine> };
  const engine = typeof module.statefulIsAuthorized === 'function' ? module : module.default;
  if (engine === undefined || typeof engine.statefulIsAuthorized !== 'function' || typeof engine.preparsePolicySet !== 'function') {
    throw new ConfigError(`cedar: "${specifier}" is not a Cedar engine with preparsed policy sets (need @cedar-policy/cedar-wasm 4.x)`);
  }
  return engine as CedarEngine;
}
