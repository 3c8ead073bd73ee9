// The schema of an OpenAI `POST /v1/responses` body.
import { z } from 'zod';
import { boundedNumber, freeObject, looseObject, modelName, nullish, unchecked, wholeNumber } from './shared-fields.js';

const inputText = looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const inputImage = looseObject({
  type: z.literal('input_image'),
  image_url: nullish(z.string().min(1)),
  file_id: nullish(z.string()),
  detail: nullish(z.enum(['auto', 'low', 'high'])),
});
const inputFile = looseObject({ type: z.literal('input_file'), file_id: nullish(z.string()), file_data: nullish(z.string()), file_url: nullish(z.string()), filename: nullish(z.string()) });
const inputAudio = looseObject({ type: z.literal('input_audio'), input_audio: freeObject });
const refusal = looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** A content part of a Responses API message. */
export const responsesContentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, inputAudio, refusal]);

/** A message item: `{ role, content }`, with or without `type: 'message'`. */
const messageItem = looseObject({
  type: nullish(z.literal('message')),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(responsesContentPart)]),
});

/** Any other input item (function_call, function_call_output, reasoning, item_reference, …). */
const otherItem = looseObject({
  type: z.string().min(1).refine((type) => type !== 'message', { error: 'a message item needs role and content' }),
  output: nullish(z.union([z.string(), z.array(responsesContentPart)])),
  arguments: nullish(z.string()),
});

/** One input item. */
export const responsesInputItem = z.union([messageItem, otherItem]);

const functionTool = looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'must be 1-128 letters, digits, _ . : or -' }),
  description: nullish(z.string()),
  parameters: nullish(freeObject),
  strict: nullish(z.boolean()),
});

/** The fields of a Responses API request that tollgate checks. */
export const responsesFields = {
  model: modelName,
  input: nullish(z.union([z.string(), z.array(responsesInputItem)])),
  instructions: nullish(z.string()),
  max_output_tokens: nullish(wholeNumber(1)),
  stream: nullish(z.boolean()),
  tools: nullish(z.array(z.union([functionTool, looseObject({ type: z.string().min(1).refine((t) => t !== 'function') })]))),
  tool_choice: nullish(z.union([z.enum(['none', 'auto', 'required']), looseObject({ type: z.string() })])),
  parallel_tool_calls: nullish(z.boolean()),
  max_tool_calls: nullish(wholeNumber(1)),
  temperature: nullish(boundedNumber(0, 2)),
  top_p: nullish(boundedNumber(0, 1)),
  top_logprobs: nullish(wholeNumber(0, 20)),
  previous_response_id: nullish(z.string()),
  metadata: nullish(z.record(z.string(), z.string())),
  user: nullish(z.string().max(256)),
  ...unchecked([
    'background', 'conversation', 'include', 'prompt', 'prompt_cache_key', 'reasoning', 'safety_identifier',
    'service_tier', 'store', 'stream_options', 'text', 'truncation',
  ]),
};

export type ResponsesRequest = z.infer<z.ZodObject<typeof responsesFields>>;
export type ResponsesInputItem = z.infer<typeof responsesInputItem>;
