// Checks what a provider answered before authorize acts on it, and names the step a policy's missing facts come from.
import { TollgateError } from '../errors/tollgate-error.js';
import type { PolicyDecision, PolicyFact } from './policy-provider.js';

const stepOf: Readonly<Record<PolicyFact, string>> = { model: 'validateRequest', inference: 'validateRequest', tenant: 'resolveTenant' };
const facts = new Set<string>(Object.keys(stepOf));

/**
 * The 500 for a policy that needs facts no step in the chain provides, naming the step(s) to add.
 *
 * @example
 * throw missingStepError(['model']); // "… needs validateRequest to run before authorize."
 */
export function missingStepError(missing: readonly PolicyFact[]): TollgateError {
  const steps = [...new Set(missing.map((fact) => stepOf[fact]))].sort();
  return new TollgateError('TG_PIPELINE_ORDER', {
    message: `The server is misconfigured: the authorization policy needs ${steps.join(' and ')} to run before authorize.`,
  });
}

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * Returns the decision when it is well-formed; otherwise throws TG_INTERNAL, so that a buggy provider
 * (an allow that is not exactly `true`, a rule that is not a short string) fails closed.
 *
 * @example
 * const decision = checkedDecision(await provider.decide(request), provider.name);
 */
export function checkedDecision(value: unknown, provider: string): PolicyDecision {
  const bad = (what: string): never => {
    throw new TollgateError('TG_INTERNAL', { cause: new Error(`policy provider "${provider}" answered ${what}`) });
  };
  if (typeof value !== 'object' || value === null) return bad('something that is not a decision');
  const d = value as Record<string, unknown>;
  if (typeof d['allow'] !== 'boolean') return bad('a decision whose allow is not true or false');
  if (!isText(d['rule'], 200)) return bad('a decision without a rule (1-200 characters)');
  if (d['reason'] !== undefined && !isText(d['reason'], 1000)) return bad('a reason that is not 1-1000 characters');
  if (d['param'] !== undefined && !isText(d['param'], 100)) return bad('a param that is not 1-100 characters');
  if (d['requiredScope'] !== undefined && !isText(d['requiredScope'], 200)) return bad('a requiredScope that is not 1-200 characters');
  if (d['missing'] !== undefined && (!Array.isArray(d['missing']) || !d['missing'].every((f) => facts.has(f as string)))) return bad('missing facts it cannot name');
  const obligations = d['obligations'];
  if (obligations !== undefined && !Array.isArray(obligations)) return bad('obligations that are not a list');
  if (d['allow'] === true && Array.isArray(obligations) && obligations.length > 0) return bad('an allow with obligations, which authorize cannot carry out');
  for (const o of (obligations ?? []) as unknown[]) {
    const ob = o as Record<string, unknown> | null;
    if (typeof ob !== 'object' || ob === null || ob['type'] !== 'fallback-model' || !isText(ob['model'], 256)) return bad('an obligation it does not understand');
  }
  return value as PolicyDecision;
}
