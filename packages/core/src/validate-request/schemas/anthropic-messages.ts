// The schema of an Anthropic `POST /v1/messages` body.
import { z } from 'zod';
import { boundedNumber, freeObject, looseObject, modelName, nullish, unchecked, wholeNumber } from './shared-fields.js';

const textBlock = looseObject({ type: z.literal('text'), text: z.string() });
const imageSource = z.discriminatedUnion('type', [
  looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  looseObject({ type: z.literal('file'), file_id: z.string() }),
]);
const imageBlock = looseObject({ type: z.literal('image'), source: imageSource });
const documentBlock = looseObject({ type: z.literal('document'), source: freeObject });
const toolUseBlock = looseObject({ type: z.enum(['tool_use', 'server_tool_use']), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: nullish(z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock]))])),
  is_error: nullish(z.boolean()),
});
const thinkingBlock = looseObject({ type: z.literal('thinking'), thinking: z.string() });
const redactedThinkingBlock = looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
const searchResultBlock = looseObject({ type: z.literal('search_result'), content: z.array(textBlock) });
// Blocks that server tools and MCP put in a conversation; their payloads are not checked here.
const serverResultBlock = looseObject({
  type: z.enum([
    'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result', 'bash_code_execution_tool_result',
    'text_editor_code_execution_tool_result', 'tool_search_tool_result', 'mcp_tool_use', 'mcp_tool_result', 'container_upload',
  ]),
});

/** A content block of an Anthropic message. */
export const anthropicContentBlock = z.discriminatedUnion('type', [
  textBlock, imageBlock, documentBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock, searchResultBlock, serverResultBlock,
]);

/** One Anthropic message. */
export const anthropicMessage = looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicContentBlock)]),
});

const customTool = looseObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, { error: 'must be 1-128 letters, digits, _ or -' }),
  description: nullish(z.string()),
  input_schema: freeObject,
  type: nullish(z.literal('custom')),
});
// Server and versioned tools (`web_search_20250305`, `bash_20250124`, …) carry a type and a name.
const serverTool = looseObject({ type: z.string().min(1).refine((type) => type !== 'custom'), name: z.string() });

/** The fields of an Anthropic messages request that tollgate checks. */
export const anthropicMessagesFields = {
  model: modelName,
  max_tokens: wholeNumber(1),
  messages: z.array(anthropicMessage).min(1),
  system: nullish(z.union([z.string(), z.array(textBlock)])),
  stop_sequences: nullish(z.array(z.string())),
  stream: nullish(z.boolean()),
  temperature: nullish(boundedNumber(0, 1)),
  top_k: nullish(wholeNumber(0)),
  top_p: nullish(boundedNumber(0, 1)),
  tools: nullish(z.array(z.union([customTool, serverTool]))),
  tool_choice: nullish(looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: nullish(z.string()) })),
  thinking: nullish(
    z.discriminatedUnion('type', [looseObject({ type: z.literal('enabled'), budget_tokens: wholeNumber(1024) }), looseObject({ type: z.literal('disabled') })]),
  ),
  metadata: nullish(looseObject({ user_id: nullish(z.string().max(256)) })),
  ...unchecked(['container', 'context_management', 'mcp_servers', 'service_tier']),
};

export type AnthropicMessagesRequest = z.infer<z.ZodObject<typeof anthropicMessagesFields>>;
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlock>;
