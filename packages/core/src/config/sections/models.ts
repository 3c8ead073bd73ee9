// Config section `models`: the model registry, by name, with the same limits as modelRegistry() in code.
import { z } from 'zod';
import { modelRegistry, type ModelRegistry } from '../../model-registry/model-registry.js';
import { wholeNumberField } from '../config-fields.js';

const count = (min: number) => wholeNumberField(min, Number.MAX_SAFE_INTEGER);
const name = z.string().min(1, { error: 'must not be empty' }).max(256, { error: 'must be at most 256 characters' });
const price = z.number({ error: 'must be a number of USD per million tokens' }).min(0).max(1_000_000);

/** Caps on one request; the same fields in `models.<name>.caps` and in `validateRequest.caps`. */
export const capsSchema = z.strictObject({
  /** Highest `max_tokens` (or `max_completion_tokens`, `max_output_tokens`). */
  maxTokens: count(1).optional(),
  /** Most choices (`n`, `best_of`). */
  n: count(1).optional(),
  /** Most tool definitions. */
  tools: count(0).optional(),
  /** Most messages, input items or embedding inputs. */
  messages: count(1).optional(),
  /** Most estimated prompt tokens. */
  promptTokens: count(1).optional(),
});

/** One model. */
const modelSchema = z.strictObject({
  provider: z.string().min(1).max(64).optional(),
  aliases: z.array(name).optional(),
  contextWindow: count(1).optional(),
  maxOutputTokens: count(1).optional(),
  price: z.strictObject({ inputPerMTok: price, outputPerMTok: price }).optional(),
  tags: z.array(z.string().min(1).max(128)).optional(),
  capabilities: z.strictObject({ streaming: z.boolean().optional(), tools: z.boolean().optional(), vision: z.boolean().optional() }).optional(),
  caps: capsSchema.optional(),
  /** A custom token counter function can only be given in code. */
  tokenizer: z.enum(['o200k_base', 'cl100k_base', 'estimate']).optional(),
  apis: z.array(z.enum(['chat', 'completions', 'embeddings', 'responses', 'anthropic_messages'])).min(1, { error: 'must list at least one API' }).optional(),
});

/** `models:` model name → what tollgate knows of it. */
export const modelsSchema = z.record(name, modelSchema);

export type ModelsConfig = z.infer<typeof modelsSchema>;

/**
 * Builds the registry of a validated `models:` section (alias collisions are found here and thrown as
 * a ConfigError).
 *
 * @example
 * const registry = buildModelRegistry({ 'gpt-4o-mini': { provider: 'openai', contextWindow: 128000 } });
 */
export function buildModelRegistry(config: ModelsConfig): ModelRegistry {
  return modelRegistry(config);
}
