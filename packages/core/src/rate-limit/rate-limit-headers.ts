// Rate-limit response headers: IETF RateLimit-Policy / RateLimit and OpenAI's x-ratelimit-{limit,remaining,reset}-*.
import type { LimitUnit } from './limit-rule.js';

/** One enforced rule's state after the decision, in store units. */
export interface RuleStanding {
  readonly rule: string;
  readonly unit: LimitUnit;
  readonly limit: number;
  /** Units used, including this request's reservation when it was granted. */
  readonly used: number;
  /** Window length in seconds; undefined for concurrency leases. */
  readonly windowSeconds: number | undefined;
  /** Milliseconds until the window resets; undefined for concurrency leases. */
  readonly resetMs: number | undefined;
}

const ietfUnit: Record<LimitUnit, string> = {
  requests: 'requests',
  concurrent: 'concurrent-requests',
  input_tokens: 'input-tokens',
  output_tokens: 'output-tokens',
  total_tokens: 'tokens',
  // RateLimit quotas are integers: money is shown in micro-dollars.
  usd: 'usd-micros',
};

/** A store amount in the unit the headers show (micro-dollars for money, rounded down). */
function shown(unit: LimitUnit, amount: number): number {
  return unit === 'usd' ? Math.floor(amount / 1000) : amount;
}

/**
 * A duration the way OpenAI writes its reset headers (Go's format): `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`.
 *
 * @example
 * goDuration(360_000) // '6m0s'
 */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const wholeSeconds = `${Math.floor((total % 60_000) / 1000)}`;
  // The milliseconds as Go prints them, without trailing zeros: `1.5s`, `1.05s`, `1.005s`.
  let millis = total % 1000;
  let digits = 3;
  while (millis !== 0 && millis % 10 === 0) {
    millis /= 10;
    digits -= 1;
  }
  const secondsText = millis === 0 ? `${wholeSeconds}s` : `${wholeSeconds}.${String(millis).padStart(digits, '0')}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

/** Whether `s` is tighter than `best`: less left relative to its limit, ties broken by the later reset. */
function tighter(s: RuleStanding, best: RuleStanding | undefined): boolean {
  if (best === undefined) return true;
  const left = (s.limit - s.used) / s.limit;
  const bestLeft = (best.limit - best.used) / best.limit;
  return left < bestLeft || (left === bestLeft && (s.resetMs ?? 0) > (best.resetMs ?? 0));
}

const openAiNames = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
} as const;

function openAiHeaders(headers: Record<string, string>, kind: 'requests' | 'tokens', standing: RuleStanding | undefined): void {
  if (standing === undefined) return;
  const [limit, remaining, reset] = openAiNames[kind];
  headers[limit] = String(standing.limit);
  headers[remaining] = String(Math.max(0, standing.limit - standing.used));
  headers[reset] = goDuration(standing.resetMs ?? 0);
}

/**
 * The headers for a limited route's response: every enforced rule in `RateLimit-Policy` and
 * `RateLimit` (draft-ietf-httpapi-ratelimit-headers), and the tightest request and token rules in
 * OpenAI's `x-ratelimit-*` headers. Empty when no rule applied.
 *
 * @example
 * rateLimitHeaders([{ rule: 'rpm', unit: 'requests', limit: 60, used: 1, windowSeconds: 60, resetMs: 30_000 }])
 * // { 'ratelimit-policy': '"rpm";q=60;w=60;qu="requests"', ratelimit: '"rpm";r=59;t=30', … }
 */
export function rateLimitHeaders(standings: readonly RuleStanding[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (standings.length === 0) return headers;
  let policies = '';
  let states = '';
  let requests: RuleStanding | undefined;
  let tokens: RuleStanding | undefined;
  for (const s of standings) {
    const separator = policies === '' ? '' : ', ';
    const window = s.windowSeconds === undefined ? '' : `;w=${s.windowSeconds}`;
    policies += `${separator}"${s.rule}";q=${shown(s.unit, s.limit)}${window};qu="${ietfUnit[s.unit]}"`;
    const reset = s.resetMs === undefined ? '' : `;t=${Math.ceil(Math.max(0, s.resetMs) / 1000)}`;
    states += `${separator}"${s.rule}";r=${shown(s.unit, Math.max(0, s.limit - s.used))}${reset}`;
    if (s.unit === 'requests') {
      if (tighter(s, requests)) requests = s;
    } else if (s.unit.endsWith('_tokens') && tighter(s, tokens)) tokens = s;
  }
  headers['ratelimit-policy'] = policies;
  headers['ratelimit'] = states;
  openAiHeaders(headers, 'requests', requests);
  openAiHeaders(headers, 'tokens', tokens);
  return headers;
}
