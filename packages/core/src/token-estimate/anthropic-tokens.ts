// Prompt tokens of an Anthropic messages request: text, images by Anthropic's formula, tools with their system prompt.
import type { AnthropicContentBlock, AnthropicMessagesRequest } from '../validate-request/schemas/anthropic-messages.js';
import type { CountingContext } from './chat-tokens.js';
import { anthropicImageTokens } from './image-tokens.js';

/**
 * The system prompt Anthropic adds when tools are given, per its pricing docs for Claude 3.7 and 4
 * models: 346 tokens for `tool_choice` auto or none (313 for any or tool); the larger is used.
 */
export const anthropicToolSystemPromptTokens = 346;

/** Per message framing; Anthropic does not document it, so the OpenAI cookbook's value is used. */
const tokensPerMessage = 3;

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function blockTokens(block: AnthropicContentBlock, at: CountingContext): number {
  switch (block.type) {
    case 'text':
      return at.counter.count(block.text, at.budget);
    case 'image':
      return anthropicImageTokens(block.source as { type: string; data?: unknown });
    case 'thinking':
      return at.counter.count(block.thinking, at.budget);
    case 'tool_use':
    case 'server_tool_use':
      return at.counter.count(`${block.name}${jsonText(block.input)}`, at.budget);
    case 'tool_result': {
      const content = block.content;
      if (typeof content === 'string') return at.counter.count(content, at.budget);
      let tokens = 0;
      for (const inner of content ?? []) tokens += blockTokens(inner as AnthropicContentBlock, at);
      return tokens;
    }
    case 'document': {
      // Plain-text documents are counted; PDFs are billed per page as text and images, which tollgate cannot see.
      const source = block.source;
      return source['type'] === 'text' && typeof source['data'] === 'string' ? at.counter.count(source['data'], at.budget) : 0;
    }
    case 'search_result':
      return block.content.reduce((sum, inner) => sum + at.counter.count(inner.text, at.budget), 0);
    default:
      return 0;
  }
}

/**
 * Prompt tokens of an Anthropic messages request, with the model's counter (the conservative
 * estimate unless the registry names another): system prompt, every block of every message,
 * images by width × height / 750 (1,600 when the size is unknown), tools as their JSON text plus
 * Anthropic's tool system prompt.
 *
 * @example
 * anthropicPromptTokens({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }, at)
 */
export function anthropicPromptTokens(body: AnthropicMessagesRequest, at: CountingContext): number {
  let tokens = 0;
  if (typeof body.system === 'string') tokens += at.counter.count(body.system, at.budget);
  else for (const block of body.system ?? []) tokens += at.counter.count(block.text, at.budget);
  for (const message of body.messages) {
    tokens += tokensPerMessage;
    if (typeof message.content === 'string') tokens += at.counter.count(message.content, at.budget);
    else for (const block of message.content) tokens += blockTokens(block, at);
  }
  const tools = body.tools ?? [];
  if (tools.length > 0) {
    tokens += anthropicToolSystemPromptTokens;
    for (const tool of tools) tokens += at.counter.count(jsonText(tool), at.budget);
  }
  return tokens;
}
