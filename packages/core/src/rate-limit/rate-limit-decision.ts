// What rateLimit records in `context.decisions.rateLimit` for the inference record, and the events it emits.
import type { LimitUnit } from './limit-rule.js';

/** How one rule judged a request. */
export type RuleOutcomeKind =
  /** Counted and within the limit. */
  | 'allow'
  /** Over the limit: the request was refused. */
  | 'deny'
  /** Over the limit of a shadow rule: recorded, not refused. */
  | 'shadow_deny'
  /** Granted, but not counted: another rule denied, so nothing was charged anywhere. */
  | 'not_charged'
  /** Not applied: the request has no value for the rule's scope (e.g. no API key id). */
  | 'skipped'
  /** The store failed and the rule's policy let the request through uncounted. */
  | 'fail_open'
  /** The store failed and the rule's policy refused the request. */
  | 'unavailable';

/** One rule's part in a decision. Amounts are in the rule's unit (US dollars for `usd`). */
export interface RuleOutcome {
  readonly rule: string;
  /** The rule's scopes joined with `+`, e.g. `tenant+model`. */
  readonly scope: string;
  readonly unit: LimitUnit;
  outcome: RuleOutcomeKind;
  /** Which store counted it: the configured one, or the in-memory insurance limiter during an outage. */
  store?: 'primary' | 'insurance';
  limit?: number;
  /** Used in the window before this request. */
  used?: number;
  /** Reserved for this request (0 when nothing was charged). */
  reserved?: number;
  /** When the window ends (ISO 8601). */
  resetsAt?: string;
  /** Charged in the end, after settlement. */
  settled?: number;
  /** Why a rule was skipped. */
  reason?: string;
}

/** `context.decisions.rateLimit`. */
export interface RateLimitDecision {
  outcome: 'allow' | 'deny' | 'unavailable';
  /** The rule that refused the request. */
  rule?: string;
  reservationId?: string;
  /** Output tokens per choice reserved (the request's cap, or lower when `lowerMaxTokens` applied). */
  outputTokens?: number;
  /** Set when the request's output cap was lowered to fit the tightest limit. */
  maxTokensLowered?: { readonly from: number | undefined; readonly to: number };
  rules: RuleOutcome[];
  /** Set in `finish`: what the request was charged in the end and on what evidence. */
  settlement?: {
    /** `usage`: reported usage; `stream`: output counted from the stream; `reservation`: no usage, so the full reservation; `refused`: a later step refused, so no tokens. */
    readonly source: 'usage' | 'stream' | 'reservation' | 'refused';
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** Set when a spend rule applied. */
    readonly costUsd?: number;
    /** Set when the stream was cut off for passing its reservation. */
    readonly cutOff?: boolean;
    /** Set when settling failed (the reservation then stays charged in full). */
    readonly error?: string;
  };
}

/** Events for the app's alerting and dashboards (`onEvent`). Never blocks a request. */
export type RateLimitEvent =
  | {
      readonly type: 'threshold';
      readonly rule: string;
      /** The counter's scope values, e.g. `tenant=acme`. */
      readonly counter: string;
      /** The fraction crossed, e.g. 0.8. */
      readonly threshold: number;
      readonly used: number;
      readonly limit: number;
      readonly unit: LimitUnit;
      readonly requestId: string;
    }
  | { readonly type: 'deny' | 'shadow_deny'; readonly rule: string; readonly counter: string; readonly requestId: string }
  | { readonly type: 'store_error'; readonly operation: 'reserve' | 'settle' | 'renew' | 'cancel'; readonly error: Error; readonly requestId?: string }
  | { readonly type: 'cut_off'; readonly requestId: string; readonly outputTokens: number; readonly reserved: number };
