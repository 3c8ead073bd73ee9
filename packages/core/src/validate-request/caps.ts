// Caps per model and per tenant tier, and the pure check of a request's shape against them.
import { TollgateError } from '../errors/tollgate-error.js';
import type { RequestCaps } from '../model-registry/model-definition.js';
import type { RequestShape } from './request-shape.js';

/** Caps by tenant tier; `default` applies to tenants without a listed tier and to requests without a tenant. */
export interface TierCaps {
  readonly default?: RequestCaps;
  readonly tiers?: Readonly<Record<string, RequestCaps>>;
}

const capNames = ['maxTokens', 'n', 'tools', 'messages', 'promptTokens'] as const;

/**
 * The caps that apply: for each cap, the lower of the model's and the tier's (the tier's own entry, or
 * `default` when the tier has none).
 *
 * @example
 * effectiveCaps({ maxTokens: 4096 }, { default: { maxTokens: 1024 }, tiers: { pro: { maxTokens: 8192 } } }, 'pro') // { maxTokens: 4096 }
 */
export function effectiveCaps(model: RequestCaps, tiers: TierCaps | undefined, tier: string | undefined): RequestCaps {
  const fromTier = (tier === undefined ? undefined : tiers?.tiers?.[tier]) ?? tiers?.default ?? {};
  const caps: Record<string, number> = {};
  for (const name of capNames) {
    const values = [model[name], fromTier[name]].filter((v): v is number => v !== undefined);
    if (values.length > 0) caps[name] = Math.min(...values);
  }
  return caps;
}

function over(param: string | null, cap: string, limit: number, message: string): TollgateError {
  return new TollgateError('TG_CAP_EXCEEDED', { param, message, detail: { cap, limit } });
}

/**
 * Throws the 400 for the first cap the request is over (output cap, choices, tools, messages, prompt
 * tokens, in that order), or returns when it is within all of them.
 *
 * @example
 * checkCaps(shape, { n: 4 }) // throws TG_CAP_EXCEEDED with param 'n' when shape.n is 8
 */
export function checkCaps(shape: RequestShape, promptTokens: number, caps: RequestCaps, maxOutputTokens: number | undefined): void {
  const { maxTokens, maxTokensParam } = shape;
  if (maxTokens !== undefined && maxOutputTokens !== undefined && maxTokens > maxOutputTokens) {
    throw over(maxTokensParam, 'maxOutputTokens', maxOutputTokens, `'${maxTokensParam}' is ${maxTokens}; this model produces at most ${maxOutputTokens} output tokens.`);
  }
  if (caps.maxTokens !== undefined && maxTokens !== undefined && maxTokens > caps.maxTokens) {
    throw over(maxTokensParam, 'maxTokens', caps.maxTokens, `'${maxTokensParam}' is ${maxTokens}; at most ${caps.maxTokens} is allowed here.`);
  }
  if (caps.n !== undefined && shape.n > caps.n) {
    throw over(shape.nParam, 'n', caps.n, `'${shape.nParam}' is ${shape.n}; at most ${caps.n} choices are allowed here.`);
  }
  if (caps.tools !== undefined && shape.toolCount > caps.tools) {
    throw over('tools', 'tools', caps.tools, `The request defines ${shape.toolCount} tools; at most ${caps.tools} are allowed here.`);
  }
  if (caps.messages !== undefined && shape.messageCount > caps.messages) {
    throw over(shape.messagesParam, 'messages', caps.messages, `'${shape.messagesParam}' has ${shape.messageCount} entries; at most ${caps.messages} are allowed here.`);
  }
  if (caps.promptTokens !== undefined && promptTokens > caps.promptTokens) {
    throw over(shape.messagesParam, 'promptTokens', caps.promptTokens, `The prompt is about ${promptTokens} tokens; at most ${caps.promptTokens} are allowed here.`);
  }
}

/**
 * Throws 400 `context_length_exceeded` when the prompt plus the requested output cap does not fit the
 * model's context window (the prompt alone when the request sets no cap).
 *
 * @example
 * checkContextWindow(shape, 130_000, 128_000) // throws, param 'messages'
 */
export function checkContextWindow(shape: RequestShape, promptTokens: number, contextWindow: number | undefined): void {
  if (contextWindow === undefined) return;
  if (promptTokens > contextWindow) {
    throw new TollgateError('TG_CONTEXT_LENGTH_EXCEEDED', {
      param: shape.messagesParam,
      message: `This model's maximum context length is ${contextWindow} tokens; the prompt is about ${promptTokens} tokens.`,
    });
  }
  const output = shape.maxTokens ?? 0;
  if (promptTokens + output > contextWindow) {
    throw new TollgateError('TG_CONTEXT_LENGTH_EXCEEDED', {
      param: shape.maxTokensParam,
      message: `This model's maximum context length is ${contextWindow} tokens; the prompt is about ${promptTokens} tokens and '${shape.maxTokensParam}' asks for ${output} more.`,
    });
  }
}
