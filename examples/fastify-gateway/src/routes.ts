// The OpenAI-compatible routes as a Fastify plugin: each handler calls the model server-side, with the caller's abort signal.
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import OpenAI from 'openai';
import type { TgContext } from '@tollgate/core';

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParams;
type EmbeddingBody = OpenAI.Embeddings.EmbeddingCreateParams;

const openAiError = (message: string, type: string, code: string) => ({ error: { message, type, code, param: null } });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Relays an upstream failure: the provider's own 4xx as it is; anything else goes to the app's error handler (502). */
function relayUpstreamError(error: unknown, reply: FastifyReply): FastifyReply {
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    return reply.code(error.status).send(error.error ?? openAiError(error.message, 'upstream_error', 'upstream_failed'));
  }
  throw error;
}

/** The SSE lines of a streamed completion; usage is reported to tollgate as it arrives. */
async function* sseLines(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>, context: TgContext): AsyncGenerator<string> {
  for await (const chunk of stream) {
    if (chunk.usage) context.recordUsage({ inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens });
    yield `data: ${JSON.stringify(chunk)}\n\n`;
  }
  yield 'data: [DONE]\n\n';
}

/**
 * Registers `/chat/completions`, `/embeddings` and `/models` in a scope that tollgate guards.
 * Fastify parses the body only after tollgate's onRequest hook let the request through.
 */
export const inferenceRoutes: FastifyPluginAsync<{ openai: OpenAI }> = async (v1, { openai }) => {
  v1.post('/chat/completions', async (request, reply) => {
    const context = request.tollgate!;
    if (!isObject(request.body)) return reply.code(400).send(openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body'));
    const body = request.body as unknown as ChatBody;
    try {
      if (body.stream === true) {
        const stream = await openai.chat.completions.create(
          { ...body, stream: true, stream_options: { ...body.stream_options, include_usage: true } },
          { signal: context.signal },
        );
        // A Readable reply: Fastify pipes it and destroys it (stopping the upstream read) if the client leaves.
        return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(Readable.from(sseLines(stream, context)));
      }
      const completion = await openai.chat.completions.create({ ...body, stream: false }, { signal: context.signal });
      if (completion.usage) context.recordUsage({ inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens });
      return completion;
    } catch (error) {
      return relayUpstreamError(error, reply);
    }
  });

  v1.post('/embeddings', async (request, reply) => {
    const context = request.tollgate!;
    if (!isObject(request.body)) return reply.code(400).send(openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body'));
    try {
      const result = await openai.embeddings.create(request.body as unknown as EmbeddingBody, { signal: context.signal });
      context.recordUsage({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 });
      return result;
    } catch (error) {
      return relayUpstreamError(error, reply);
    }
  });

  v1.get('/models', async (request, reply) => {
    try {
      const page = await openai.models.list({ signal: request.tollgate!.signal });
      return { object: 'list', data: page.data };
    } catch (error) {
      return relayUpstreamError(error, reply);
    }
  });
};
