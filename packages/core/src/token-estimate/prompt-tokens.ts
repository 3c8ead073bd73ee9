// Estimates the prompt tokens of a validated request, whatever its API: the number rateLimit reserves and caps check.
import type { ValidatedBody } from '../validate-request/request-schemas.js';
import type { CompletionsRequest, EmbeddingsRequest } from '../validate-request/schemas/openai-completions.js';
import { anthropicPromptTokens } from './anthropic-tokens.js';
import { chatPromptTokens, responsesPromptTokens, type CountingContext } from './chat-tokens.js';
import type { TextCounter } from './text-tokens.js';

/** A prompt estimate and how it was made. */
export interface PromptEstimate {
  readonly tokens: number;
  /** `o200k_base`, `cl100k_base`, `estimate` or `custom`. */
  readonly tokenizer: TextCounter['tokenizer'];
  /** False when the text was estimated (no tokenizer for the family, or the time budget ran out). */
  readonly exact: boolean;
}

/** Text, texts, token ids or lists of token ids: ids count as themselves. */
function textOrTokenIds(value: CompletionsRequest['prompt'] | EmbeddingsRequest['input'], at: CountingContext): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return at.counter.count(value, at.budget);
  let tokens = 0;
  for (const item of value) {
    if (typeof item === 'string') tokens += at.counter.count(item, at.budget);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

/**
 * Estimates a request's prompt tokens within `budgetMs` of tokenizing (past it, the rest of the
 * text is counted with the conservative estimate and the result is marked inexact).
 *
 * @example
 * const counter = await textCounter('o200k_base');
 * estimatePromptTokens({ api: 'embeddings', body: { model: 'text-embedding-3-small', input: 'hello' } }, 'text-embedding-3-small', counter, 50)
 * // { tokens: 1, tokenizer: 'o200k_base', exact: true }
 */
export function estimatePromptTokens(request: ValidatedBody, model: string, counter: TextCounter, budgetMs: number): PromptEstimate {
  const budget = { deadline: performance.now() + budgetMs, exhausted: false };
  const at: CountingContext = { model, counter, budget };
  let tokens: number;
  switch (request.api) {
    case 'chat':
      tokens = chatPromptTokens(request.body, at);
      break;
    case 'responses':
      tokens = responsesPromptTokens(request.body, at);
      break;
    case 'anthropic_messages':
      tokens = anthropicPromptTokens(request.body, at);
      break;
    case 'completions':
      tokens = textOrTokenIds(request.body.prompt, at) + (typeof request.body.suffix === 'string' ? at.counter.count(request.body.suffix, budget) : 0);
      break;
    case 'embeddings':
      tokens = textOrTokenIds(request.body.input, at);
      break;
  }
  const exact = !budget.exhausted && (counter.tokenizer === 'o200k_base' || counter.tokenizer === 'cl100k_base');
  return { tokens: Math.max(0, Math.ceil(tokens)), tokenizer: counter.tokenizer, exact };
}
