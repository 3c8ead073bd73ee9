// Edits the parsed request body the handler forwards: a lowered output cap, and a request for streamed usage.
import type { InferenceInfo } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import type { RequestCost } from './request-cost.js';

type Body = Record<string, unknown>;

/** The body field that caps output for each API (chat keeps whichever of its two names the client used). */
function outputField(api: string, body: Body): string {
  if (api === 'responses') return 'max_output_tokens';
  if (api === 'chat' && body['max_completion_tokens'] !== undefined) return 'max_completion_tokens';
  return 'max_tokens';
}

/**
 * After a granted reservation: when `lowerMaxTokens` granted less output than the request could
 * produce, writes the granted cap into the parsed body (the object `context.request.json()` returns,
 * which adapters hand to the handler) and into `context.inference`; for streamed chat and completions
 * requests, asks the upstream to report usage so the reservation can be settled exactly.
 *
 * @example
 * await applyToBody(context, cost, result.output, settings, decision);
 */
export function applyToBody(context: TgContext, cost: RequestCost, granted: number, settings: ResolvedRateLimitOptions, decision: RateLimitDecision): Promise<void> | undefined {
  const inference = context.inference;
  if (inference === undefined) return undefined;
  const lower = settings.lowerMaxTokens !== undefined && granted < cost.maxOutput;
  const askUsage = settings.includeStreamUsage && inference.stream && (inference.api === 'chat' || inference.api === 'completions');
  // Most requests need no edit: then there is nothing to wait for.
  if (!lower && !askUsage) return undefined;
  return editBody(context, inference, granted, lower, askUsage, decision);
}

async function editBody(context: TgContext, inference: InferenceInfo, granted: number, lower: boolean, askUsage: boolean, decision: RateLimitDecision): Promise<void> {
  const body = await context.request.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const fields = body as Body;
  if (lower) {
    const field = outputField(inference.api, fields);
    fields[field] = granted;
    decision.maxTokensLowered = { from: inference.maxTokens, to: granted };
    context.inference = { ...inference, maxTokens: granted };
  }
  if (askUsage) {
    const current = fields['stream_options'];
    fields['stream_options'] = { ...(typeof current === 'object' && current !== null ? current : {}), include_usage: true };
  }
}
