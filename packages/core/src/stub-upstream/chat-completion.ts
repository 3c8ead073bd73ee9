// Answers `POST /v1/chat/completions`, whole or streamed, in the shapes the `openai` client expects.
import type { ServerResponse } from 'node:http';
import type { ChatRequest } from './chat-request.js';
import { randomId, sendJson } from './http-json.js';
import { SseWriter } from './sse-writer.js';
import { cappedReply, promptTokens } from './usage-rules.js';

/** Token counts in OpenAI's `usage` shape. */
export interface ChatUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

type FinishReason = 'stop' | 'length';

/** What every choice of one request says: all `n` choices carry the same deterministic reply. */
interface Answer {
  readonly id: string;
  readonly created: number;
  readonly words: readonly string[];
  readonly finishReason: FinishReason;
  readonly usage: ChatUsage;
}

function answer(request: ChatRequest): Answer {
  const { words, truncated } = cappedReply(request.messages, request.maxTokens);
  const prompt = promptTokens(request.messages);
  // As with OpenAI, completion tokens add up over all choices.
  const completion = words.length * request.n;
  return {
    id: randomId('chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
    words,
    finishReason: truncated ? 'length' : 'stop',
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** Sends a whole `chat.completion`. */
export function sendChatCompletion(res: ServerResponse, request: ChatRequest): void {
  const reply = answer(request);
  const content = reply.words.join(' ');
  sendJson(res, 200, {
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: request.model,
    choices: Array.from({ length: request.n }, (_, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: reply.finishReason,
    })),
    usage: reply.usage,
  });
}

/**
 * Streams the reply as `chat.completion.chunk` events: for each choice a role chunk, then one
 * chunk per word, then a finish chunk; then, when asked, a chunk with no choices and the usage;
 * then `[DONE]`. Stops as soon as the client disconnects, and then resolves to false.
 */
export async function streamChatCompletion(
  res: ServerResponse,
  request: ChatRequest,
  delayMs: number,
): Promise<boolean> {
  const reply = answer(request);
  const sse = new SseWriter(res, delayMs);
  const choiceIndexes = Array.from({ length: request.n }, (_, index) => index);
  const chunk = (choices: readonly unknown[], usage?: ChatUsage): Record<string, unknown> => ({
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: request.model,
    choices,
    // OpenAI sends `usage: null` on every chunk but the last when usage was asked for.
    ...(request.includeUsage ? { usage: usage ?? null } : {}),
  });
  const choice = (index: number, delta: Record<string, unknown>, finish: FinishReason | null): unknown => ({
    index,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  sse.open();
  for (const index of choiceIndexes) {
    const role = choice(index, { role: 'assistant', content: '', refusal: null }, null);
    if (!(await sse.send(chunk([role])))) return false;
  }
  for (const [position, word] of reply.words.entries()) {
    // Words after the first carry their leading space, so joining the deltas gives the reply.
    const content = position === 0 ? word : ` ${word}`;
    for (const index of choiceIndexes) {
      if (!(await sse.send(chunk([choice(index, { content }, null)])))) return false;
    }
  }
  for (const index of choiceIndexes) {
    if (!(await sse.send(chunk([choice(index, {}, reply.finishReason)])))) return false;
  }
  if (request.includeUsage && !(await sse.send(chunk([], reply.usage)))) return false;
  return sse.done();
}
