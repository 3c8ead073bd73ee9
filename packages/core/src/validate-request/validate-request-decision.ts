// What validateRequest records under `context.decisions.validateRequest`, for the inference record and for debugging.
import type { RequestCaps } from '../model-registry/model-definition.js';
import type { PromptEstimate } from '../token-estimate/prompt-tokens.js';
import type { ResponseDecision } from '../usage/output-checker.js';
import type { InferenceApi } from './api-route.js';

/** The content check's outcome: the detector's verdict, or the failure it had and how it was treated. */
export interface ContentDecision {
  readonly action: 'pass' | 'flag' | 'deny';
  readonly reason?: string;
  readonly param?: string;
  readonly score?: number;
  /** Set when the detector failed; `action` is then what `onError` made of it. */
  readonly error?: 'timeout' | 'error';
}

/** validateRequest's decision for one request. */
export interface ValidateRequestDecision {
  readonly api: InferenceApi;
  /** The registry name the request resolved to. */
  readonly model: string;
  /** The name the client sent. */
  readonly requested: string;
  readonly promptTokens: number;
  readonly tokenizer: PromptEstimate['tokenizer'];
  /** False when the prompt count is an estimate. */
  readonly exact: boolean;
  /** False when the framework parsed the body first, so duplicate keys could not be checked. */
  readonly duplicatesChecked: boolean;
  /** The caps that applied. */
  readonly caps: RequestCaps;
  content?: ContentDecision;
  /** Set once the response is observed. */
  response?: ResponseDecision;
}
