// Turns the rules that apply to a request into one ReserveRequest (pure: reads the context, writes nothing).
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import { needsInference, ruleMatchesModel } from './limit-rule.js';
import { requestOverLimit } from './limit-refusal.js';
import type { RuleOutcome } from './rate-limit-decision.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import type { CounterCharge, LeaseCharge, ReserveRequest } from './rate-limit-store.js';
import { chargeFor } from './reservation-plan.js';
import { requestCost, reservedShape, type RequestCost } from './request-cost.js';
import { counterIdentity } from './scope-value.js';
import type { ActiveRule } from './tenant-limits.js';

/** A reservation ready for the store, with the rule behind each counter and lease. */
export interface PreparedReservation {
  readonly request: ReserveRequest;
  /** The rule of each counter, in the order of `request.counters`. */
  readonly counterRules: readonly ActiveRule[];
  readonly leaseRules: readonly ActiveRule[];
  /** Rules that did not apply for want of a scope value. */
  readonly skipped: readonly RuleOutcome[];
  /** The request's cost bounds, when a token or money rule applies. */
  readonly cost: RequestCost | undefined;
}

export const scopeText = (rule: ActiveRule): string => rule.scopes.join('+');

const missingStep = (why: string): TollgateError =>
  new TollgateError('TG_PIPELINE_ORDER', { message: `The server is misconfigured: step "rateLimit" needs "validateRequest" to run first (${why}).` });

/**
 * Builds the reservation for a request. Throws the request's 4xx (bad `max_tokens`/`n`, a prompt too
 * large, a model without a price under a spend rule, a request larger than a whole limit) and a 500
 * naming validateRequest when a rule needs what only it provides; request and concurrency rules
 * work without it.
 *
 * @example
 * const prepared = prepareReservation(rules, context, options, crypto.randomUUID());
 */
export function prepareReservation(allRules: readonly ActiveRule[], context: TgContext, options: ResolvedRateLimitOptions, id: string): PreparedReservation {
  // validateRequest ran and found no inference request (GET /v1/models, a health route): there is no
  // model and nothing to spend, so only request and concurrency rules apply.
  const notInference = context.inference === undefined && context.completedSteps.includes('validateRequest');
  const rules = notInference ? allRules.filter((r) => !needsInference(r.unit) && r.models === undefined && !r.scopes.includes('model')) : allRules;
  if (rules.some((r) => r.models !== undefined || r.scopes.includes('model')) && context.model === undefined) {
    throw missingStep('a limit applies per model, and no model was resolved');
  }
  const applicable = rules.filter((rule) => context.model === undefined || ruleMatchesModel(rule, context.model.name));
  const outputLimited = applicable.some((r) => r.unit === 'output_tokens' || r.unit === 'total_tokens' || r.unit === 'usd');
  let cost: RequestCost | undefined;
  if (applicable.some((r) => needsInference(r.unit))) {
    if (context.inference === undefined) throw missingStep('a token or spend limit applies, and the request was not parsed');
    cost = requestCost(context.inference, context.model, options, outputLimited);
    const spend = applicable.find((r) => r.unit === 'usd');
    if (spend !== undefined && cost.nanoUsdPerToken === undefined) {
      throw new TollgateError('TG_MODEL_UNPRICED', {
        message: `The model "${context.model?.name ?? context.inference.api}" has no price, so it cannot be used under the spend limit "${spend.name}".`,
        detail: { rule: spend.name },
      });
    }
  }
  const maxOutput = cost?.maxOutput ?? 0;
  const minOutput = options.lowerMaxTokens === undefined ? maxOutput : Math.min(maxOutput, options.lowerMaxTokens.minimum);
  const grouping = { ipv4Prefix: options.ipv4Prefix, ipv6Prefix: options.ipv6Prefix };
  const counters: CounterCharge[] = [];
  const leases: LeaseCharge[] = [];
  const counterRules: ActiveRule[] = [];
  const leaseRules: ActiveRule[] = [];
  const skipped: RuleOutcome[] = [];
  for (const rule of applicable) {
    const identity = counterIdentity(rule.namespace + rule.name, rule.scopes, context, grouping);
    if ('missing' in identity) {
      skipped.push({ rule: rule.name, scope: scopeText(rule), unit: rule.unit, outcome: 'skipped', reason: `no ${identity.missing} for this request` });
      continue;
    }
    if (rule.unit === 'concurrent') {
      leases.push({ key: identity.key, limit: rule.limit, enforce: !rule.shadow });
      leaseRules.push(rule);
      continue;
    }
    const counter: CounterCharge = { key: identity.key, limit: rule.limit, window: rule.window!, ...reservedShape(rule.unit, cost ?? noCost), enforce: !rule.shadow };
    const needed = chargeFor(counter, minOutput);
    if (counter.enforce && needed > rule.limit) {
      const param = counter.perOutputToken > 0 && chargeFor(counter, 0) < rule.limit ? 'max_tokens' : 'messages';
      throw requestOverLimit({ rule: rule.name, scope: scopeText(rule), unit: rule.unit, limit: rule.limit, requested: needed, windowText: windowText(rule) }, param);
    }
    counters.push(counter);
    counterRules.push(rule);
  }
  const request: ReserveRequest = { id, counters, leases, output: { min: minOutput, max: maxOutput }, ttlMs: options.leaseMs };
  return { request, counterRules, leaseRules, skipped, cost };
}

const noCost: RequestCost = { promptTokens: 0, choices: 1, maxOutput: 0, nanoUsdPerToken: undefined };

/** The window as the rule wrote it (`1m`, `month`), for messages. */
export function windowText(rule: ActiveRule): string | undefined {
  const window = rule.window;
  if (window === undefined) return undefined;
  if (window.kind === 'calendar') return window.unit;
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  const [size, name] = units.find(([ms]) => window.ms % ms === 0)!;
  return `${window.ms / size}${name}`;
}
