// Field schemas the request schemas share: bounded numbers, nullable optionals, free-form objects.
import { z } from 'zod';

/** Longest string accepted where a short name or id is expected (model, tool name, role name). */
export const maxNameLength = 256;

/** An optional field that also accepts `null` as "absent", as the OpenAI API does. */
export function nullish<T extends z.ZodType>(schema: T) {
  return schema.nullable().optional();
}

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.int().min(min).max(max);
}

/** A finite number in [min, max]. */
export function boundedNumber(min: number, max: number) {
  return z.number().min(min).max(max);
}

/** A model name: a non-empty string of reasonable length. */
export const modelName = z.string().min(1).max(maxNameLength);

/** An object whose fields are not checked here (JSON Schemas, metadata, provider extensions). */
export const freeObject = z.record(z.string(), z.unknown());

/** An object whose listed fields are checked and any other field passes. */
export const looseObject = z.looseObject;

/** `stop`: a string or up to `max` strings. */
export function stopSequences(max: number) {
  return z.union([z.string(), z.array(z.string()).max(max)]);
}

/** Sampling fields OpenAI-compatible APIs share, with OpenAI's documented ranges. */
export const openAiSampling = {
  temperature: nullish(boundedNumber(0, 2)),
  top_p: nullish(boundedNumber(0, 1)),
  frequency_penalty: nullish(boundedNumber(-2, 2)),
  presence_penalty: nullish(boundedNumber(-2, 2)),
  seed: nullish(z.int()),
  logit_bias: nullish(z.record(z.string(), boundedNumber(-100, 100))),
  user: nullish(z.string().max(maxNameLength)),
  stream: nullish(z.boolean()),
  stream_options: nullish(looseObject({ include_usage: nullish(z.boolean()) })),
};

/** A chat-style function tool (`{ type: 'function', function: { name, description, parameters } }`). */
export const functionDefinition = looseObject({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'must be 1-128 letters, digits, _ . : or -' }),
  description: nullish(z.string()),
  parameters: nullish(freeObject),
  strict: nullish(z.boolean()),
});

/** Known top-level fields the schema does not check in detail, allowed in strict mode. */
export function unchecked(names: readonly string[]): Record<string, z.ZodOptional<z.ZodUnknown>> {
  return Object.fromEntries(names.map((name) => [name, z.unknown().optional()]));
}
