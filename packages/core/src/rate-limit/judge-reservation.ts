// Reads a store's answer: per-rule outcomes for the record, header standings, denials, and thresholds crossed (pure).
import { windowSeconds } from './limit-window.js';
import { inRuleUnits, type Denial } from './limit-refusal.js';
import { scopeText, windowText, type PreparedReservation } from './prepare-reservation.js';
import type { RuleOutcome } from './rate-limit-decision.js';
import type { RuleStanding } from './rate-limit-headers.js';
import type { ReserveResult } from './rate-limit-store.js';

/** A soft threshold one counter crossed with this request. */
export interface ThresholdCrossing {
  readonly rule: string;
  readonly counter: string;
  readonly threshold: number;
  readonly used: number;
  readonly limit: number;
}

/** Everything the step does with a store's answer, computed without side effects. */
export interface Judgement {
  readonly outcomes: RuleOutcome[];
  /** Enforced rules' state after the decision, for the response headers. */
  readonly standings: RuleStanding[];
  /** Enforced rules over their limit (empty when granted). */
  readonly denials: Denial[];
  /** Shadow rules that would have denied. */
  readonly shadowDenials: Array<{ rule: string; counter: string }>;
  readonly crossings: ThresholdCrossing[];
}

const counterText = (key: string): string => key.slice(key.indexOf('|') + 1);

// Window ends repeat for a whole window, request after request: format each once (a handful are live).
const isoTimes = new Map<number, string>();
function isoTime(ms: number): string {
  let text = isoTimes.get(ms);
  if (text === undefined) {
    if (isoTimes.size >= 64) isoTimes.clear();
    text = new Date(ms).toISOString();
    isoTimes.set(ms, text);
  }
  return text;
}

/**
 * Judges a reservation result for the rules of `prepared`, as counted by `store`.
 *
 * @example
 * const { denials, standings } = judgeReservation(prepared, result, 'primary', 1000);
 */
export function judgeReservation(prepared: PreparedReservation, result: ReserveResult, store: 'primary' | 'insurance', concurrencyRetryAfterMs: number): Judgement {
  const judgement: Judgement = { outcomes: [], standings: [], denials: [], shadowDenials: [], crossings: [] };
  const { request } = prepared;
  prepared.counterRules.forEach((rule, i) => {
    const charge = request.counters[i]!;
    const state = result.counters[i]!;
    const outcome = !state.allowed ? (charge.enforce ? 'deny' : 'shadow_deny') : result.granted ? 'allow' : 'not_charged';
    const resetMs = state.windowEnd - result.now;
    judgement.outcomes.push({
      rule: rule.name,
      scope: scopeText(rule),
      unit: rule.unit,
      outcome,
      store,
      limit: inRuleUnits(rule.unit, rule.limit),
      used: inRuleUnits(rule.unit, state.used),
      reserved: inRuleUnits(rule.unit, state.amount),
      resetsAt: isoTime(state.windowEnd),
    });
    if (outcome === 'shadow_deny') judgement.shadowDenials.push({ rule: rule.name, counter: counterText(charge.key) });
    if (!charge.enforce) return;
    const after = state.used + (result.granted ? state.amount : 0);
    judgement.standings.push({ rule: rule.name, unit: rule.unit, limit: rule.limit, used: after, windowSeconds: windowSeconds(rule.window!, { start: state.windowStart, end: state.windowEnd }), resetMs });
    if (!state.allowed) {
      judgement.denials.push({
        rule: rule.name,
        scope: scopeText(rule),
        unit: rule.unit,
        budget: rule.budget,
        limit: rule.limit,
        used: state.used,
        requested: state.requested,
        windowText: windowText(rule),
        retryAfterMs: Math.max(1, resetMs),
        resetsAt: state.windowEnd,
      });
    }
  });
  if (result.granted) {
    prepared.counterRules.forEach((rule, i) => {
      const state = result.counters[i]!;
      for (const threshold of rule.thresholds) {
        const mark = threshold * rule.limit;
        if (state.used < mark && state.used + state.amount >= mark) {
          judgement.crossings.push({ rule: rule.name, counter: counterText(request.counters[i]!.key), threshold, used: inRuleUnits(rule.unit, state.used + state.amount), limit: inRuleUnits(rule.unit, rule.limit) });
        }
      }
    });
  }
  prepared.leaseRules.forEach((rule, j) => {
    const lease = request.leases[j]!;
    const state = result.leases[j]!;
    const outcome = !state.allowed ? (lease.enforce ? 'deny' : 'shadow_deny') : result.granted ? 'allow' : 'not_charged';
    judgement.outcomes.push({ rule: rule.name, scope: scopeText(rule), unit: rule.unit, outcome, store, limit: rule.limit, used: state.held, reserved: result.granted ? 1 : 0 });
    if (outcome === 'shadow_deny') judgement.shadowDenials.push({ rule: rule.name, counter: counterText(lease.key) });
    if (!lease.enforce) return;
    judgement.standings.push({ rule: rule.name, unit: rule.unit, limit: rule.limit, used: state.held + (result.granted ? 1 : 0), windowSeconds: undefined, resetMs: undefined });
    if (!state.allowed) {
      judgement.denials.push({ rule: rule.name, scope: scopeText(rule), unit: rule.unit, budget: false, limit: rule.limit, used: state.held, requested: 1, windowText: undefined, retryAfterMs: concurrencyRetryAfterMs, resetsAt: undefined });
    }
  });
  return judgement;
}
