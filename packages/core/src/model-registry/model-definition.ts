// What a model registry entry says about a model, and its schema (shared by code and the config file).
import { z } from 'zod';
import type { InferenceApi } from '../validate-request/api-route.js';

/** Limits on what one request may ask of a model; each is optional. */
export interface RequestCaps {
  /** Highest `max_tokens` (or `max_completion_tokens`, `max_output_tokens`) a request may ask for. */
  readonly maxTokens?: number;
  /** Most choices (`n`, and `best_of` for completions). */
  readonly n?: number;
  /** Most tool (function) definitions. */
  readonly tools?: number;
  /** Most messages (or input items, or embedding inputs). */
  readonly messages?: number;
  /** Most estimated prompt tokens. */
  readonly promptTokens?: number;
}

/** The encodings tollgate can count exactly; `estimate` is the documented conservative estimate. */
export type TokenizerName = 'o200k_base' | 'cl100k_base' | 'estimate';

/** Your own token counter for a model family tollgate has no tokenizer for: tokens of one text. */
export type TokenCounter = (text: string) => number;

/** One model in the registry. Only what you give is known; nothing is invented. */
export interface ModelDefinition {
  /** Who serves it (`openai`, `anthropic`, `vllm`, `ollama`, …); informs the default tokenizer. */
  readonly provider?: string;
  /** Other names clients may use for it (dated snapshots, short names). */
  readonly aliases?: readonly string[];
  /** Prompt plus output, in tokens. */
  readonly contextWindow?: number;
  /** The most output tokens one request may produce. */
  readonly maxOutputTokens?: number;
  /** USD per million tokens. Without a price the model cannot be spent on under a spend limit. */
  readonly price?: { readonly inputPerMTok: number; readonly outputPerMTok: number };
  /** Labels policies match on (`tier:premium`, `vendor:openai`). @default [] */
  readonly tags?: readonly string[];
  /** What it supports; a request needing a capability set to false is refused. @default all unknown (not checked) */
  readonly capabilities?: { readonly streaming?: boolean; readonly tools?: boolean; readonly vision?: boolean };
  /** Caps on requests for this model, on top of the tier caps. */
  readonly caps?: RequestCaps;
  /** How prompt tokens are counted. @default from the name: o200k_base/cl100k_base for OpenAI families, else `estimate` */
  readonly tokenizer?: TokenizerName | TokenCounter;
  /** The APIs it serves; a request on another API is 400. @default every API */
  readonly apis?: readonly InferenceApi[];
}

const whole = (min: number) => z.int().min(min).max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(256);

/** Schema of {@link RequestCaps}. */
export const requestCapsSchema = z.strictObject({
  maxTokens: whole(1).optional(),
  n: whole(1).optional(),
  tools: whole(0).optional(),
  messages: whole(1).optional(),
  promptTokens: whole(1).optional(),
});

const price = z.number().min(0).max(1_000_000);

/** Schema of one model definition; `allowCode` admits a custom token counter function (code only, not files). */
export function modelDefinitionSchema(allowCode: boolean) {
  const tokenizer = z.enum(['o200k_base', 'cl100k_base', 'estimate']);
  return z.strictObject({
    provider: z.string().min(1).max(64).optional(),
    aliases: z.array(name).optional(),
    contextWindow: whole(1).optional(),
    maxOutputTokens: whole(1).optional(),
    price: z.strictObject({ inputPerMTok: price, outputPerMTok: price }).optional(),
    tags: z.array(z.string().min(1).max(128)).optional(),
    capabilities: z.strictObject({ streaming: z.boolean().optional(), tools: z.boolean().optional(), vision: z.boolean().optional() }).optional(),
    caps: requestCapsSchema.optional(),
    tokenizer: (allowCode ? z.union([tokenizer, z.custom<TokenCounter>((v) => typeof v === 'function', { error: 'must be a function' })]) : tokenizer).optional(),
    apis: z.array(z.enum(['chat', 'completions', 'embeddings', 'responses', 'anthropic_messages'])).min(1).optional(),
  });
}

/** Schema of the registry: model name → definition. */
export function modelDefinitionsSchema(allowCode: boolean) {
  return z.record(name, modelDefinitionSchema(allowCode));
}

// Families whose encoding OpenAI documents (tiktoken's model table); first match wins.
const encodingByFamily: ReadonlyArray<readonly [RegExp, TokenizerName]> = [
  [/^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex)/, 'o200k_base'],
  [/^(?:gpt-4|gpt-3\.5|text-embedding-ada-002|text-embedding-3)/, 'cl100k_base'],
];

/**
 * The tokenizer a model gets when its definition names none: OpenAI's encoding for OpenAI model
 * families (also behind a `vendor/` prefix), o200k_base for any other `provider: openai` model,
 * otherwise the conservative estimate.
 *
 * @example
 * defaultTokenizer('gpt-4o-mini', undefined) // 'o200k_base'
 * defaultTokenizer('claude-sonnet-4-5', 'anthropic') // 'estimate'
 */
export function defaultTokenizer(model: string, provider: string | undefined): TokenizerName {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  for (const [family, encoding] of encodingByFamily) if (family.test(bare)) return encoding;
  return provider?.toLowerCase() === 'openai' ? 'o200k_base' : 'estimate';
}
