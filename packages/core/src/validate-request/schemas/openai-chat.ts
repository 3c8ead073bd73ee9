// The schema of an OpenAI-compatible `POST /v1/chat/completions` body.
import { z } from 'zod';
import { freeObject, functionDefinition, looseObject, maxNameLength, modelName, nullish, openAiSampling, stopSequences, unchecked, wholeNumber } from './shared-fields.js';

const textPart = looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = looseObject({
  type: z.literal('image_url'),
  image_url: looseObject({ url: z.string().min(1), detail: nullish(z.enum(['auto', 'low', 'high'])) }),
});
const audioPart = looseObject({ type: z.literal('input_audio'), input_audio: looseObject({ data: z.string(), format: z.string() }) });
const filePart = looseObject({ type: z.literal('file'), file: freeObject });
// Accepted by vLLM and other OpenAI-compatible servers.
const videoPart = looseObject({ type: z.literal('video_url'), video_url: looseObject({ url: z.string().min(1) }) });
const audioUrlPart = looseObject({ type: z.literal('audio_url'), audio_url: looseObject({ url: z.string().min(1) }) });
const refusalPart = looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** A content part of a user message. */
export const userContentPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart, videoPart, audioUrlPart]);

const textContent = z.union([z.string(), z.array(textPart)]);
const name = nullish(z.string().max(maxNameLength));

const toolCall = looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: looseObject({ name: z.string(), arguments: z.string() }),
});

const systemMessage = looseObject({ role: z.enum(['system', 'developer']), content: textContent, name });
const userMessage = looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userContentPart)]), name });
const assistantMessage = looseObject({
  role: z.literal('assistant'),
  content: nullish(z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))])),
  name,
  refusal: nullish(z.string()),
  tool_calls: nullish(z.array(toolCall)),
  function_call: nullish(looseObject({ name: z.string(), arguments: z.string() })),
});
const toolMessage = looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() });
const functionMessage = looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() });

/** One chat message, by role. */
export const chatMessage = z.discriminatedUnion('role', [systemMessage, userMessage, assistantMessage, toolMessage, functionMessage]);

const tool = z.discriminatedUnion('type', [
  looseObject({ type: z.literal('function'), function: functionDefinition }),
  looseObject({ type: z.literal('custom'), custom: looseObject({ name: z.string(), description: nullish(z.string()) }) }),
]);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  looseObject({ type: z.literal('function'), function: looseObject({ name: z.string() }) }),
  looseObject({ type: z.string() }),
]);

/** The fields of a chat completions request that tollgate checks. */
export const chatFields = {
  model: modelName,
  messages: z.array(chatMessage).min(1),
  max_tokens: nullish(wholeNumber(1)),
  max_completion_tokens: nullish(wholeNumber(1)),
  n: nullish(wholeNumber(1, 128)),
  stop: nullish(stopSequences(4)),
  logprobs: nullish(z.boolean()),
  top_logprobs: nullish(wholeNumber(0, 20)),
  tools: nullish(z.array(tool)),
  tool_choice: nullish(toolChoice),
  parallel_tool_calls: nullish(z.boolean()),
  functions: nullish(z.array(functionDefinition)),
  function_call: nullish(z.union([z.enum(['none', 'auto']), looseObject({ name: z.string() })])),
  response_format: nullish(looseObject({ type: z.enum(['text', 'json_object', 'json_schema']), json_schema: nullish(freeObject) })),
  metadata: nullish(z.record(z.string(), z.string())),
  ...openAiSampling,
  ...unchecked(['audio', 'modalities', 'prediction', 'prompt_cache_key', 'reasoning_effort', 'safety_identifier', 'service_tier', 'store', 'verbosity', 'web_search_options']),
};

export type ChatRequest = z.infer<z.ZodObject<typeof chatFields>>;
export type ChatMessage = z.infer<typeof chatMessage>;
