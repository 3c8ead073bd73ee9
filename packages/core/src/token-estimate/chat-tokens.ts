// Prompt tokens of OpenAI chat completions and Responses API requests: the cookbook's message method, tools, images.
import type { ChatMessage, ChatRequest } from '../validate-request/schemas/openai-chat.js';
import type { ResponsesInputItem, ResponsesRequest } from '../validate-request/schemas/openai-responses.js';
import { openAiImageTokens } from './image-tokens.js';
import type { TextCounter, TokenBudget } from './text-tokens.js';
import { functionTokens, type FunctionShape } from './tool-tokens.js';

/** Per message (`<|start|>role<|message|>…<|end|>`), per `name`, and the reply's priming, per the cookbook. */
export const tokensPerMessage = 3;
export const tokensPerName = 1;
export const replyPriming = 3;

/** What the counters need besides the text: the model (image rules) and the budget. */
export interface CountingContext {
  readonly model: string;
  readonly counter: TextCounter;
  readonly budget: TokenBudget;
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function chatContentTokens(content: ChatMessage['content'], at: CountingContext): number {
  if (content === undefined || content === null) return 0;
  if (typeof content === 'string') return at.counter.count(content, at.budget);
  let tokens = 0;
  for (const part of content) {
    if (part.type === 'text') tokens += at.counter.count(part.text, at.budget);
    else if (part.type === 'refusal') tokens += at.counter.count(part.refusal, at.budget);
    else if (part.type === 'image_url') tokens += openAiImageTokens(at.model, part.image_url.url, part.image_url.detail ?? undefined);
    // Audio, video and file parts are billed by rules tollgate cannot see (duration, pages): not counted.
  }
  return tokens;
}

function chatMessageTokens(message: ChatMessage, at: CountingContext): number {
  let tokens = tokensPerMessage + at.counter.count(message.role, at.budget) + chatContentTokens(message.content, at);
  if (typeof message.name === 'string') tokens += at.counter.count(message.name, at.budget) + tokensPerName;
  if (message.role === 'tool') tokens += at.counter.count(message.tool_call_id, at.budget);
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) tokens += tokensPerMessage + at.counter.count(call.function.name, at.budget) + at.counter.count(call.function.arguments, at.budget);
    if (message.function_call) tokens += tokensPerMessage + at.counter.count(message.function_call.name, at.budget) + at.counter.count(message.function_call.arguments, at.budget);
    if (typeof message.refusal === 'string') tokens += at.counter.count(message.refusal, at.budget);
  }
  return tokens;
}

/**
 * Prompt tokens of a chat completions request: per message 3 + role + content (+ name + 1), 3 for the
 * reply, the cookbook's count for tools or functions, images by OpenAI's vision rules, and a
 * `json_schema` response format as its JSON text.
 *
 * @example
 * chatPromptTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, at) // 8
 */
export function chatPromptTokens(body: ChatRequest, at: CountingContext): number {
  let tokens = replyPriming;
  for (const message of body.messages) tokens += chatMessageTokens(message, at);
  const functions: FunctionShape[] = [];
  for (const tool of body.tools ?? []) {
    if (tool.type === 'function') functions.push(tool.function);
    else tokens += at.counter.count(`${tool.custom.name}:${tool.custom.description ?? ''}`, at.budget);
  }
  functions.push(...(body.functions ?? []));
  tokens += functionTokens(functions, at.counter, at.budget);
  const format = body.response_format;
  if (format?.type === 'json_schema' && format.json_schema) tokens += at.counter.count(jsonText(format.json_schema), at.budget);
  return tokens;
}

function responsesItemTokens(item: ResponsesInputItem, at: CountingContext): number {
  if ('role' in item && typeof item.role === 'string' && 'content' in item) {
    const content = item.content as string | ReadonlyArray<{ type: string; text?: unknown; image_url?: unknown; detail?: unknown; refusal?: unknown }>;
    let tokens = tokensPerMessage + at.counter.count(item.role, at.budget);
    if (typeof content === 'string') return tokens + at.counter.count(content, at.budget);
    for (const part of content) {
      if (typeof part.text === 'string') tokens += at.counter.count(part.text, at.budget);
      else if (typeof part.refusal === 'string') tokens += at.counter.count(part.refusal, at.budget);
      else if (part.type === 'input_image') {
        const url = typeof part.image_url === 'string' ? part.image_url : '';
        tokens += openAiImageTokens(at.model, url, part.detail === 'low' || part.detail === 'high' ? part.detail : 'auto');
      }
    }
    return tokens;
  }
  // Tool calls, tool outputs, reasoning items: their JSON text errs high and never misses a field.
  return tokensPerMessage + at.counter.count(jsonText(item), at.budget);
}

/**
 * Prompt tokens of a Responses API request: `instructions` and a string `input` as one message each,
 * items as chat messages, other items as their JSON text, tools by the cookbook's method. Input held
 * server-side (`previous_response_id`, `conversation`) is not visible and so not counted.
 *
 * @example
 * responsesPromptTokens({ model: 'gpt-4o', input: 'hi' }, at)
 */
export function responsesPromptTokens(body: ResponsesRequest, at: CountingContext): number {
  let tokens = replyPriming;
  if (typeof body.instructions === 'string') tokens += tokensPerMessage + at.counter.count(body.instructions, at.budget);
  if (typeof body.input === 'string') tokens += tokensPerMessage + at.counter.count(body.input, at.budget);
  else for (const item of body.input ?? []) tokens += responsesItemTokens(item, at);
  const functions: FunctionShape[] = [];
  for (const tool of body.tools ?? []) {
    if (tool.type === 'function' && typeof (tool as { name?: unknown }).name === 'string') functions.push(tool as FunctionShape);
    else tokens += at.counter.count(jsonText(tool), at.budget);
  }
  return tokens + functionTokens(functions, at.counter, at.budget);
}
