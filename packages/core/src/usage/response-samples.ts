// Test support: upstream responses as providers send them (shapes from their API references), with known usage.
import type { InferenceApi } from '../validate-request/api-route.js';

/** A response sample: content type, body, the usage tollgate must read from it, and the output text. */
export interface ResponseSample {
  readonly api: InferenceApi;
  readonly contentType: string;
  readonly body: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number } | undefined;
  readonly text: string;
}

const sse = (events: ReadonlyArray<{ event?: string; data: unknown }>): string =>
  events.map(({ event, data }) => `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');

const chunk = (choices: unknown[], usage: unknown = null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices, usage });

/** One sample per API and form (whole JSON and stream). */
export const responseSamples: Readonly<Record<string, ResponseSample>> = {
  chatJson: {
    api: 'chat', contentType: 'application/json',
    body: JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, friend.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } }),
    usage: { inputTokens: 12, outputTokens: 5 }, text: 'Hello there, friend.',
  },
  chatStream: {
    api: 'chat', contentType: 'text/event-stream; charset=utf-8',
    body: sse([
      { data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]) },
      { data: chunk([{ index: 0, delta: { content: 'Héllo' }, finish_reason: null }]) },
      { data: chunk([{ index: 0, delta: { content: ' wörld 🌍' }, finish_reason: null }]) },
      { data: chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]) },
      { data: chunk([], { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 }) },
      { data: '[DONE]' },
    ]),
    usage: { inputTokens: 9, outputTokens: 4 }, text: 'Héllo wörld 🌍',
  },
  completionsStream: {
    api: 'completions', contentType: 'text/event-stream',
    body: sse([
      { data: { id: 'cmpl', object: 'text_completion', choices: [{ index: 0, text: 'Once' }] } },
      { data: { id: 'cmpl', object: 'text_completion', choices: [{ index: 0, text: ' upon' }] } },
      { data: { id: 'cmpl', object: 'text_completion', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } } },
      { data: '[DONE]' },
    ]),
    usage: { inputTokens: 3, outputTokens: 2 }, text: 'Once upon',
  },
  embeddingsJson: {
    api: 'embeddings', contentType: 'application/json',
    body: JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } }),
    usage: { inputTokens: 8, outputTokens: 0 }, text: '',
  },
  responsesStream: {
    api: 'responses', contentType: 'text/event-stream',
    body: sse([
      { event: 'response.created', data: { type: 'response.created', response: { id: 'resp', status: 'in_progress', usage: null } } },
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'Hi' } },
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: ' you' } },
      { event: 'response.completed', data: { type: 'response.completed', response: { id: 'resp', status: 'completed', usage: { input_tokens: 20, output_tokens: 2, total_tokens: 22, input_tokens_details: { cached_tokens: 10 } } } } },
    ]),
    usage: { inputTokens: 20, outputTokens: 2 }, text: 'Hi you',
  },
  responsesJson: {
    api: 'responses', contentType: 'application/json',
    body: JSON.stringify({ id: 'resp', object: 'response', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] }], usage: { input_tokens: 30, output_tokens: 3, total_tokens: 33 } }),
    usage: { inputTokens: 30, outputTokens: 3 }, text: 'Done.',
  },
  anthropicStream: {
    api: 'anthropic_messages', contentType: 'text/event-stream',
    body: sse([
      { event: 'message_start', data: { type: 'message_start', message: { id: 'msg', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 25, cache_creation_input_tokens: 100, cache_read_input_tokens: 50, output_tokens: 1 } } } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'ping', data: { type: 'ping' } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bonjour' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' à tous' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 15 } } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]),
    usage: { inputTokens: 175, outputTokens: 15 }, text: 'Bonjour à tous',
  },
  anthropicJson: {
    api: 'anthropic_messages', contentType: 'application/json',
    body: JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi!' }], usage: { input_tokens: 10, output_tokens: 4 } }),
    usage: { inputTokens: 10, outputTokens: 4 }, text: 'Hi!',
  },
};
