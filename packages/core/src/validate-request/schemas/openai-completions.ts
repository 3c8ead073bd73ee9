// The schemas of OpenAI-compatible `POST /v1/completions` and `POST /v1/embeddings` bodies.
import { z } from 'zod';
import { modelName, nullish, openAiSampling, stopSequences, unchecked, wholeNumber } from './shared-fields.js';

const tokenId = wholeNumber(0, 10_000_000);

/** A prompt or embedding input: text, texts, token ids, or lists of token ids. */
function textOrTokens(maxItems: number) {
  return z.union([
    z.string(),
    z.array(z.string()).min(1).max(maxItems),
    z.array(tokenId).min(1),
    z.array(z.array(tokenId).min(1)).min(1).max(maxItems),
  ]);
}

/** The fields of a (legacy) completions request that tollgate checks. */
export const completionsFields = {
  model: modelName,
  prompt: nullish(textOrTokens(2048)),
  suffix: nullish(z.string()),
  max_tokens: nullish(wholeNumber(0)),
  n: nullish(wholeNumber(1, 128)),
  best_of: nullish(wholeNumber(1, 20)),
  echo: nullish(z.boolean()),
  logprobs: nullish(wholeNumber(0, 5)),
  stop: nullish(stopSequences(4)),
  ...openAiSampling,
};

/** The fields of an embeddings request that tollgate checks (OpenAI allows 2048 inputs). */
export const embeddingsFields = {
  model: modelName,
  input: textOrTokens(2048),
  encoding_format: nullish(z.enum(['float', 'base64'])),
  dimensions: nullish(wholeNumber(1, 1_000_000)),
  user: nullish(z.string().max(256)),
  ...unchecked(['truncate_prompt_tokens']),
};

export type CompletionsRequest = z.infer<z.ZodObject<typeof completionsFields>>;
export type EmbeddingsRequest = z.infer<z.ZodObject<typeof embeddingsFields>>;
