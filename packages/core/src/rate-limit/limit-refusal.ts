// The 429 for a request over a limit: retryable rate limit, or exhausted quota (no retry), naming rule and scope.
import { TollgateError } from '../errors/tollgate-error.js';
import { nanoUsdPerUsd, type LimitUnit } from './limit-rule.js';
import { goDuration } from './rate-limit-headers.js';

/** One enforced rule that denied, in store units. */
export interface Denial {
  readonly rule: string;
  readonly scope: string;
  readonly unit: LimitUnit;
  readonly budget: boolean;
  readonly limit: number;
  readonly used: number;
  /** What the request needed (at its smallest output). */
  readonly requested: number;
  /** Window length as written (`1m`, `month`), or undefined for concurrency. */
  readonly windowText: string | undefined;
  /** When room comes back: the window's end, or an estimate for concurrency. */
  readonly retryAfterMs: number;
  readonly resetsAt: number | undefined;
}

const unitWords: Record<LimitUnit, string> = {
  requests: 'requests',
  concurrent: 'concurrent requests',
  input_tokens: 'input tokens',
  output_tokens: 'output tokens',
  total_tokens: 'tokens',
  usd: 'USD',
};

/** A store amount in the rule's own unit (dollars for money). */
export function inRuleUnits(unit: LimitUnit, amount: number): number {
  return unit === 'usd' ? amount / nanoUsdPerUsd : amount;
}

function amountText(unit: LimitUnit, amount: number): string {
  return unit === 'usd' ? `$${(amount / nanoUsdPerUsd).toFixed(amount % 1e7 === 0 ? 2 : 6)}` : `${amount} ${unitWords[unit]}`;
}

/**
 * The error for a denied request. A budget rule among the denials wins (waiting a few seconds will
 * not help): 429 `insufficient_quota` with `x-should-retry: false` and when it resets. Otherwise a
 * retryable 429 whose `Retry-After` is when every denying rule has room again.
 *
 * @example
 * throw limitRefusal([denial], headers);
 */
export function limitRefusal(denials: readonly Denial[], headers: Readonly<Record<string, string>>): TollgateError {
  const budgets = denials.filter((d) => d.budget);
  const shown = budgets[0] ?? denials[0]!;
  const relevant = budgets.length > 0 ? budgets : denials;
  const retryAfterMs = Math.max(...relevant.map((d) => d.retryAfterMs));
  const detail = {
    rule: shown.rule,
    scope: shown.scope,
    unit: shown.unit,
    limit: inRuleUnits(shown.unit, shown.limit),
    used: inRuleUnits(shown.unit, shown.used),
    requested: inRuleUnits(shown.unit, shown.requested),
    ...(shown.resetsAt === undefined ? {} : { resets_at: new Date(shown.resetsAt).toISOString() }),
  };
  const per = shown.windowText === undefined ? '' : ` per ${shown.windowText}`;
  const what = `${amountText(shown.unit, shown.limit)}${per} per ${shown.scope}`;
  if (budgets.length > 0) {
    const reset = shown.resetsAt === undefined ? '' : ` It resets at ${new Date(shown.resetsAt).toISOString()}.`;
    const left = Math.max(0, shown.limit - shown.used);
    const message =
      left > 0
        ? `This request could cost up to ${amountText(shown.unit, shown.requested)}, more than the ${amountText(shown.unit, left)} left of quota "${shown.rule}" (${what}). Lower max_tokens or wait for the reset.${reset}`
        : `Quota "${shown.rule}" (${what}) is exhausted.${reset}`;
    return new TollgateError('TG_QUOTA_EXHAUSTED', { message, retryAfterSeconds: retryAfterMs / 1000, headers, detail });
  }
  const message =
    shown.unit === 'concurrent'
      ? `Concurrency limit "${shown.rule}" reached (${what}). Retry in ${goDuration(retryAfterMs)}.`
      : `Rate limit "${shown.rule}" reached (${what}): used ${amountText(shown.unit, shown.used)}, this request needs ${amountText(shown.unit, shown.requested)}. ` +
        `Retry in ${goDuration(retryAfterMs)}.`;
  return new TollgateError('TG_RATE_LIMITED', { message, retryAfterSeconds: retryAfterMs / 1000, headers, detail });
}

/**
 * The 400 for a request that no window could ever admit: it needs more than the whole limit.
 *
 * @example
 * throw requestOverLimit(denial, 'max_tokens');
 */
export function requestOverLimit(denial: Pick<Denial, 'rule' | 'scope' | 'unit' | 'limit' | 'requested' | 'windowText'>, param: string): TollgateError {
  const per = denial.windowText === undefined ? '' : ` per ${denial.windowText}`;
  return new TollgateError('TG_REQUEST_OVER_LIMIT', {
    param,
    message: `This request needs ${amountText(denial.unit, denial.requested)}, more than the whole limit "${denial.rule}" allows (${amountText(denial.unit, denial.limit)}${per} per ${denial.scope}). Send a smaller ${param === 'messages' ? 'prompt' : 'max_tokens'}.`,
    detail: { rule: denial.rule, scope: denial.scope, unit: denial.unit, limit: inRuleUnits(denial.unit, denial.limit), requested: inRuleUnits(denial.unit, denial.requested) },
  });
}
