// What a request may cost at most (before the model runs) and what it did cost (after): tokens and nano-dollars.
import type { InferenceInfo, ModelInfo, Usage } from '../context/principal.js';
import { TollgateError } from '../errors/tollgate-error.js';
import { nanoUsdPerUsd, type LimitUnit } from './limit-rule.js';

/** The bounds a reservation is made from. */
export interface RequestCost {
  readonly promptTokens: number;
  /** Choices requested (`n`); output token counts cover all of them. */
  readonly choices: number;
  /** The most output tokens per choice the request can produce. */
  readonly maxOutput: number;
  /** Nano-dollars per input and per output token; undefined when the model has no price. */
  readonly nanoUsdPerToken: { readonly input: number; readonly output: number } | undefined;
}

/** Bounds on what a request may ask for, from the step's options. */
export interface CostLimits {
  /** Largest `n` accepted. */
  readonly maxChoices: number;
  /** Largest output cap accepted when the model states none. */
  readonly maxOutputTokens: number;
}

const badRequest = (param: string, message: string): TollgateError => new TollgateError('TG_LIMIT_INVALID_REQUEST', { param, message });

/**
 * The cost bounds of a request, or a 400 for values no limit can be checked against: a negative,
 * fractional or absurd `max_tokens` or `n`, a prompt larger than the model's context window, or no
 * output cap at all where output is limited.
 *
 * @example
 * requestCost(context.inference, context.model, { maxChoices: 128, maxOutputTokens: 1_000_000 }, true)
 */
export function requestCost(inference: InferenceInfo, model: ModelInfo | undefined, limits: CostLimits, outputLimited: boolean): RequestCost {
  const { promptTokens, maxTokens, n } = inference;
  if (!Number.isSafeInteger(promptTokens) || promptTokens < 0) {
    throw new TollgateError('TG_INTERNAL', { cause: new TypeError(`validateRequest gave an invalid prompt token estimate: ${String(promptTokens)}`) });
  }
  if (!Number.isSafeInteger(n) || n < 1 || n > limits.maxChoices) throw badRequest('n', `n must be a whole number from 1 to ${limits.maxChoices}.`);
  const modelCap = model?.maxOutputTokens;
  const cap = modelCap ?? limits.maxOutputTokens;
  if (maxTokens !== undefined && (!Number.isSafeInteger(maxTokens) || maxTokens < 1 || maxTokens > cap)) {
    throw badRequest('max_tokens', `max_tokens must be a whole number from 1 to ${cap}${modelCap === undefined ? '' : ` (the output cap of ${model!.name})`}.`);
  }
  const window = model?.contextWindow;
  if (window !== undefined && promptTokens >= window) {
    throw badRequest('messages', `The prompt is about ${promptTokens} tokens; ${model!.name} takes at most ${window} tokens in all.`);
  }
  const embeddings = inference.api === 'embeddings';
  let maxOutput = embeddings ? 0 : (maxTokens ?? modelCap);
  // The model cannot produce more than its context window leaves after the prompt.
  if (!embeddings && window !== undefined) maxOutput = Math.min(maxOutput ?? window - promptTokens, window - promptTokens);
  if (maxOutput === undefined) {
    if (outputLimited) throw badRequest('max_tokens', 'max_tokens is required here: an output limit applies and the model states no output cap.');
    maxOutput = 0;
  }
  const price = model?.price;
  const nanoUsdPerToken = price === undefined ? undefined : { input: (price.inputPerMTok * nanoUsdPerUsd) / 1e6, output: (price.outputPerMTok * nanoUsdPerUsd) / 1e6 };
  return { promptTokens, choices: embeddings ? 1 : n, maxOutput, nanoUsdPerToken };
}

/** How a unit is charged before the response: a fixed part and a part per output token of each choice. */
export function reservedShape(unit: LimitUnit, cost: RequestCost): { fixed: number; perOutputToken: number } {
  switch (unit) {
    case 'requests':
    case 'concurrent':
      return { fixed: 1, perOutputToken: 0 };
    case 'input_tokens':
      return { fixed: cost.promptTokens, perOutputToken: 0 };
    case 'output_tokens':
      return { fixed: 0, perOutputToken: cost.choices };
    case 'total_tokens':
      return { fixed: cost.promptTokens, perOutputToken: cost.choices };
    case 'usd': {
      const price = cost.nanoUsdPerToken!;
      return { fixed: cost.promptTokens * price.input, perOutputToken: cost.choices * price.output };
    }
  }
}

/** What a unit really cost for `usage` (rounded up to a whole unit: never free). */
export function actualAmount(unit: LimitUnit, usage: Usage, cost: RequestCost | undefined): number {
  switch (unit) {
    case 'requests':
    case 'concurrent':
      return 1;
    case 'input_tokens':
      return usage.inputTokens;
    case 'output_tokens':
      return usage.outputTokens;
    case 'total_tokens':
      return usage.inputTokens + usage.outputTokens;
    case 'usd': {
      const price = cost!.nanoUsdPerToken!;
      return Math.ceil(usage.inputTokens * price.input + usage.outputTokens * price.output);
    }
  }
}
