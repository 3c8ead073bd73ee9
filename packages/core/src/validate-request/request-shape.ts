// The facts of a validated request that caps, capabilities and `context.inference` use, with the field each came from.
import type { InferenceApi } from './api-route.js';
import type { ValidatedBody } from './request-schemas.js';

/** What a request asks for, in API-neutral terms. */
export interface RequestShape {
  readonly api: InferenceApi;
  /** The model name as sent. */
  readonly model: string;
  readonly stream: boolean;
  /** The output cap asked for, if any. */
  readonly maxTokens: number | undefined;
  /** The body field that carries it (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
  readonly maxTokensParam: string;
  /** Choices generated (`n`, or `best_of` for completions when larger). */
  readonly n: number;
  readonly nParam: string;
  readonly toolCount: number;
  /** Messages, input items, prompts or embedding inputs. */
  readonly messageCount: number;
  /** The body field that holds them (`messages`, `input`, `prompt`). */
  readonly messagesParam: string;
  /** Image inputs (which need a vision model). */
  readonly imageCount: number;
}

function lowest(...values: Array<number | null | undefined>): number | undefined {
  const given = values.filter((v): v is number => typeof v === 'number');
  return given.length === 0 ? undefined : Math.min(...given);
}

function countWhere<T>(items: readonly T[] | null | undefined, test: (item: T) => boolean): number {
  let count = 0;
  for (const item of items ?? []) if (test(item)) count += 1;
  return count;
}

function listLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return 1;
  // A flat list of token ids is one prompt; a list of strings or of id lists is one per entry.
  return Array.isArray(value) && value.every((item) => typeof item === 'number') ? 1 : (value as unknown[]).length;
}

const isImagePart = (part: { type: string }): boolean => part.type === 'image_url' || part.type === 'input_image' || part.type === 'image';

/**
 * The shape of a validated request.
 *
 * @example
 * requestShape({ api: 'chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], n: 2 } }).n // 2
 */
export function requestShape(request: ValidatedBody): RequestShape {
  switch (request.api) {
    case 'chat': {
      const b = request.body;
      const images = b.messages.reduce((sum, m) => sum + (m.role === 'user' && Array.isArray(m.content) ? countWhere(m.content, isImagePart) : 0), 0);
      return {
        api: 'chat', model: b.model, stream: b.stream === true,
        maxTokens: lowest(b.max_tokens, b.max_completion_tokens),
        maxTokensParam: typeof b.max_completion_tokens === 'number' ? 'max_completion_tokens' : 'max_tokens',
        n: b.n ?? 1, nParam: 'n',
        toolCount: (b.tools?.length ?? 0) + (b.functions?.length ?? 0),
        messageCount: b.messages.length, messagesParam: 'messages', imageCount: images,
      };
    }
    case 'completions': {
      const b = request.body;
      const n = b.n ?? 1;
      const bestOf = b.best_of ?? 1;
      return {
        api: 'completions', model: b.model, stream: b.stream === true,
        maxTokens: b.max_tokens ?? undefined, maxTokensParam: 'max_tokens',
        n: Math.max(n, bestOf), nParam: bestOf > n ? 'best_of' : 'n',
        toolCount: 0, messageCount: listLength(b.prompt), messagesParam: 'prompt', imageCount: 0,
      };
    }
    case 'embeddings': {
      const b = request.body;
      return {
        api: 'embeddings', model: b.model, stream: false, maxTokens: undefined, maxTokensParam: 'max_tokens',
        n: 1, nParam: 'n', toolCount: 0, messageCount: listLength(b.input), messagesParam: 'input', imageCount: 0,
      };
    }
    case 'responses': {
      const b = request.body;
      const items = typeof b.input === 'string' ? [] : (b.input ?? []);
      const images = items.reduce((sum, item) => sum + ('content' in item && Array.isArray(item.content) ? countWhere(item.content as Array<{ type: string }>, isImagePart) : 0), 0);
      return {
        api: 'responses', model: b.model, stream: b.stream === true,
        maxTokens: b.max_output_tokens ?? undefined, maxTokensParam: 'max_output_tokens',
        n: 1, nParam: 'n', toolCount: b.tools?.length ?? 0,
        messageCount: typeof b.input === 'string' ? 1 : items.length, messagesParam: 'input', imageCount: images,
      };
    }
    case 'anthropic_messages': {
      const b = request.body;
      let images = 0;
      for (const message of b.messages) {
        if (typeof message.content === 'string') continue;
        for (const block of message.content) {
          if (block.type === 'image') images += 1;
          else if (block.type === 'tool_result' && Array.isArray(block.content)) images += countWhere(block.content, isImagePart);
        }
      }
      return {
        api: 'anthropic_messages', model: b.model, stream: b.stream === true,
        maxTokens: b.max_tokens, maxTokensParam: 'max_tokens', n: 1, nParam: 'n',
        toolCount: b.tools?.length ?? 0, messageCount: b.messages.length, messagesParam: 'messages', imageCount: images,
      };
    }
  }
}
