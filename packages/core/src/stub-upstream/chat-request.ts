// Validates a `POST /v1/chat/completions` body into the few fields the stub acts on.
import { asObject, invalidRequest, optionalBoolean, optionalInteger, requireModel } from './http-json.js';
import type { StubMessage } from './usage-rules.js';

/** A chat request after validation. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly StubMessage[];
  /** Choices to generate. */
  readonly n: number;
  /** The lower of `max_tokens` and `max_completion_tokens` when either is given. */
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** `stream_options.include_usage`: send a final chunk with `usage`. */
  readonly includeUsage: boolean;
}

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** OpenAI's own upper bound for `n`. */
const maxChoices = 128;

/** Checks the body the way OpenAI does for the fields the stub uses; anything else is ignored. */
export function parseChatRequest(raw: unknown, models: ReadonlySet<string>): ChatRequest {
  const body = asObject(raw);
  const model = requireModel(body, models);
  const messages = parseMessages(body['messages']);
  const n = optionalInteger(body, 'n', 1, maxChoices) ?? 1;
  const maxTokens = lowest(
    optionalInteger(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER),
    optionalInteger(body, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER),
  );
  const stream = optionalBoolean(body, 'stream') ?? false;
  const includeUsage = parseStreamOptions(body['stream_options'], stream);
  return { model, messages, n, maxTokens, stream, includeUsage };
}

function parseMessages(value: unknown): StubMessage[] {
  if (value === undefined || value === null) {
    throw invalidRequest("Missing required parameter: 'messages'.", 'messages');
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest("Invalid 'messages': expected a non-empty array of messages.", 'messages');
  }
  return value.map((message: unknown, index) => parseMessage(message, `messages[${index}]`));
}

function parseMessage(value: unknown, path: string): StubMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(`Invalid '${path}': expected an object.`, path);
  }
  const { role, content } = value as { role?: unknown; content?: unknown };
  if (typeof role !== 'string' || !roles.has(role)) {
    throw invalidRequest(`Invalid '${path}.role': expected one of ${[...roles].join(', ')}.`, `${path}.role`);
  }
  return { role, text: contentText(content, `${path}.content`) };
}

/** The text of a message content: a string, or the text parts of an array (other parts count as no text). */
function contentText(content: unknown, path: string): string {
  // An assistant message that only carries tool calls has no content.
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequest(`Invalid '${path}': expected a string or an array of parts.`, path);
  const texts: string[] = [];
  content.forEach((part: unknown, index) => {
    if (typeof part !== 'object' || part === null || typeof (part as { type?: unknown }).type !== 'string') {
      throw invalidRequest(`Invalid '${path}[${index}]': expected a content part with a 'type'.`, `${path}[${index}]`);
    }
    const { type, text } = part as { type: string; text?: unknown };
    if (type !== 'text') return;
    if (typeof text !== 'string') {
      throw invalidRequest(`Invalid '${path}[${index}].text': expected a string.`, `${path}[${index}].text`);
    }
    texts.push(text);
  });
  return texts.join('\n');
}

function parseStreamOptions(value: unknown, stream: boolean): boolean {
  if (value === undefined || value === null) return false;
  if (!stream) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest("Invalid 'stream_options': expected an object.", 'stream_options');
  }
  const includeUsage = (value as { include_usage?: unknown }).include_usage;
  if (includeUsage === undefined || includeUsage === null) return false;
  if (typeof includeUsage !== 'boolean') {
    throw invalidRequest("Invalid 'stream_options.include_usage': expected a boolean.", 'stream_options.include_usage');
  }
  return includeUsage;
}

function lowest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
