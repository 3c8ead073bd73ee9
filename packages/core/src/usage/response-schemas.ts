// Loose schemas of what each API answers (whole responses and stream events), for the optional output schema check.
import { z } from 'zod';
import type { InferenceApi } from '../validate-request/api-route.js';

const count = z.int().min(0);
const openAiUsage = z.looseObject({ prompt_tokens: count, completion_tokens: count.optional(), total_tokens: count.optional() }).nullish();
const chatMessage = z.looseObject({
  role: z.literal('assistant').optional(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullish(),
  tool_calls: z.array(z.looseObject({ function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional() })).nullish(),
});
const choiceIndex = count.optional();

const whole = {
  chat: z.looseObject({ choices: z.array(z.looseObject({ index: choiceIndex, message: chatMessage })), usage: openAiUsage }),
  completions: z.looseObject({ choices: z.array(z.looseObject({ index: choiceIndex, text: z.string() })), usage: openAiUsage }),
  embeddings: z.looseObject({
    data: z.array(z.looseObject({ index: choiceIndex, embedding: z.union([z.array(z.number()), z.string()]) })),
    usage: z.looseObject({ prompt_tokens: count }).nullish(),
  }),
  responses: z.looseObject({
    output: z.array(z.looseObject({ type: z.string() })),
    usage: z.looseObject({ input_tokens: count, output_tokens: count }).nullish(),
  }),
  anthropic_messages: z.looseObject({
    type: z.literal('message'),
    content: z.array(z.looseObject({ type: z.string() })),
    usage: z.looseObject({ input_tokens: count, output_tokens: count }),
  }),
} satisfies Record<InferenceApi, z.ZodType>;

const events = {
  chat: z.looseObject({ choices: z.array(z.looseObject({ index: choiceIndex, delta: chatMessage.optional() })), usage: openAiUsage }),
  completions: z.looseObject({ choices: z.array(z.looseObject({ index: choiceIndex, text: z.string() })), usage: openAiUsage }),
  embeddings: z.never(),
  responses: z.looseObject({ type: z.string().min(1) }),
  anthropic_messages: z.looseObject({ type: z.string().min(1) }),
} satisfies Record<InferenceApi, z.ZodType>;

/** Where a response broke its schema, as a path (`choices[0].message.content`); undefined when it did not. */
export type SchemaBreak = { readonly path: string } | undefined;

function firstPath(error: z.ZodError): string {
  const path = error.issues[0]?.path ?? [];
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('').replace(/^\./, '') || '(body)';
}

/**
 * Checks a parsed whole response (`stream: false`) or one stream event against its API's shape.
 *
 * @example
 * checkResponseShape('chat', { choices: [{ message: { content: 5 } }] }, false) // { path: 'choices[0].message.content' }
 */
export function checkResponseShape(api: InferenceApi, body: unknown, stream: boolean): SchemaBreak {
  // Providers also send errors in-band, mid-stream: an error event is a well-formed event.
  if (stream && typeof body === 'object' && body !== null && 'error' in body) return undefined;
  const result = (stream ? events[api] : whole[api]).safeParse(body);
  return result.success ? undefined : { path: firstPath(result.error) };
}
