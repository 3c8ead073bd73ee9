// The shape of the one record every request leaves: DESIGN.md "Inference record", in snake_case.
import type { AuthMethodName } from '../context/principal.js';

/** How a request ended, in one word, for dashboards and alerts. */
export type RequestOutcome =
  /** The handler answered with a status below 400. */
  | 'success'
  /** A tollgate step refused the request with a 4xx (401, 403, 429, 400, 413, 415). */
  | 'denied'
  /** A tollgate step answered 503: a verifier, store or sink was unavailable. */
  | 'unavailable'
  /** A tollgate step failed with a 500 (misconfiguration or a bug). */
  | 'error'
  /** The handler answered with a 4xx (e.g. the provider refused the model). */
  | 'client_error'
  /** The handler answered with a 5xx (e.g. the upstream model call failed). */
  | 'upstream_error'
  /** The model answered, but a step withheld the answer and sent a refusal instead (an output check). */
  | 'blocked'
  /** The client went away, or tollgate cut the response off, before the end. */
  | 'aborted';

/** Every decision taken for the request, by step; absent steps leave their entry out. */
export interface RecordDecisions {
  readonly authn?: {
    readonly outcome: 'allow' | 'deny';
    readonly method?: string;
    readonly key_id?: string;
    readonly cached?: boolean;
    readonly reason?: string;
  };
  /** What resolveTenant decided (shape of that step's decision, keys in snake_case). */
  readonly tenant?: unknown;
  /** What validateRequest decided. */
  readonly validation?: unknown;
  /** What authorize decided, e.g. `{ allow: true, rule: "…" }`. */
  readonly authz?: unknown;
  /** What rateLimit decided, per rule. */
  readonly rate_limit?: unknown;
  /** The step that refused the request, with its code and status. */
  readonly refusal?: { readonly step: string; readonly code: string; readonly status: number };
  readonly [step: string]: unknown;
}

/** Fields a sink adds when records are hash-chained (see docs/audit-log.md). */
export interface ChainFields {
  /** Random id of the chain (one per sink and process, or resumed from the sink). */
  readonly chain_id: string;
  /** Position in the chain, from 1. */
  readonly seq: number;
  /** `hash` of the record before this one in the chain; 64 zeros for the first. */
  readonly prev_hash: string;
  /** Records this sink dropped (queue full) since the previous record of the chain. */
  readonly dropped_before?: number;
  /** Hash of this record (every other field) chained to `prev_hash`. */
  readonly hash: string;
}

/** One inference record. Unknown fields may follow (from `fields`, the app's own). */
export interface InferenceRecord {
  /** Record format version. */
  readonly v: 1;
  /** When the request entered tollgate (ISO 8601, UTC). */
  readonly ts: string;
  /** When the response ended. */
  readonly ts_end: string;
  readonly request_id: string;
  readonly tenant_id: string | null;
  /** The principal's subject (user id or service name). */
  readonly user_id: string | null;
  readonly key_id: string | null;
  readonly auth_method: AuthMethodName | null;
  readonly method: string;
  /** The request path, without its query string. */
  readonly endpoint: string;
  /** The matched route pattern, when the framework reports it. */
  readonly route: string | null;
  /** The model that served the request (after aliasing and fallback). */
  readonly model: string | null;
  /** The model the client asked for. */
  readonly model_requested: string | null;
  readonly provider: string | null;
  readonly api: string | null;
  readonly status: number;
  readonly outcome: RequestOutcome;
  /** The `TG_*` code of a refusal or of a withheld answer, or null. */
  readonly reason: string | null;
  readonly latency_ms: number;
  /** Time to the first body byte of a streamed response. */
  readonly ttft_ms: number | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  /** Cost in USD from the model's price and the usage; null when either is unknown. */
  readonly cost_usd: number | null;
  readonly decision: RecordDecisions;
  /** Keyed hash (HMAC-SHA-256, hex) of the prompt; null when no step read the body. */
  readonly prompt_sha256: string | null;
  /** Keyed hash (HMAC-SHA-256, hex) of the response body as sent; null for refusals. */
  readonly output_sha256: string | null;
  /** Identifies the hashing key (not the key itself), so hashes from different keys are not compared. */
  readonly hash_key_id: string;
  /** Raw prompt (canonical JSON, cut to `capture.maxBytes`); only with `capture.prompt: 'raw'`. */
  readonly prompt?: string;
  /** Raw response body (cut to `capture.maxBytes`); only with `capture.output: 'raw'`. */
  readonly output?: string;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly stream: boolean;
  readonly aborted: boolean;
  readonly response_bytes: number;
  readonly [field: string]: unknown;
}

/** A record as a sink receives it: chained when the log chains. */
export type AuditRecord = InferenceRecord & Partial<ChainFields>;

/** The record fields tollgate owns; app fields with these names are refused. */
export const recordFieldNames: ReadonlySet<string> = new Set([
  'v', 'ts', 'ts_end', 'request_id', 'tenant_id', 'user_id', 'key_id', 'auth_method', 'method', 'endpoint', 'route',
  'model', 'model_requested', 'provider', 'api', 'status', 'outcome', 'reason', 'latency_ms', 'ttft_ms', 'input_tokens',
  'output_tokens', 'cost_usd', 'decision', 'prompt_sha256', 'output_sha256', 'hash_key_id', 'prompt', 'output', 'ip',
  'user_agent', 'stream', 'aborted', 'response_bytes', 'chain_id', 'seq', 'prev_hash', 'dropped_before', 'hash',
]);
