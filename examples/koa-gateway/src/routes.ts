// The OpenAI-compatible routes on a @koa/router: each handler calls the model server-side, with the caller's abort signal.
import { Readable } from 'node:stream';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import OpenAI from 'openai';
import type { TgContext } from '@tollgate/core';

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParams;
type EmbeddingBody = OpenAI.Embeddings.EmbeddingCreateParams;

export const openAiError = (message: string, type: string, code: string) => ({ error: { message, type, code, param: null } });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Relays an upstream failure: the provider's own 4xx as it is; anything else goes to the app's error middleware (502). */
function relayUpstreamError(error: unknown, ctx: ParameterizedContext): void {
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    ctx.status = error.status;
    ctx.body = error.error ?? openAiError(error.message, 'upstream_error', 'upstream_failed');
    return;
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
 * A router with `/chat/completions`, `/embeddings` and `/models` under `/v1`. Mount it after tollgate:
 * the body parser runs only for requests tollgate let through.
 */
export function inferenceRoutes(openai: OpenAI): Router {
  const v1 = new Router({ prefix: '/v1' });
  v1.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb' }));

  v1.post('/chat/completions', async (ctx) => {
    const context = ctx.state.tollgate!;
    if (!isObject(ctx.request.body)) {
      ctx.status = 400;
      ctx.body = openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body');
      return;
    }
    const body = ctx.request.body as unknown as ChatBody;
    try {
      if (body.stream === true) {
        const stream = await openai.chat.completions.create(
          { ...body, stream: true, stream_options: { ...body.stream_options, include_usage: true } },
          { signal: context.signal },
        );
        ctx.type = 'text/event-stream';
        ctx.set('cache-control', 'no-cache');
        // A stream body: Koa pipes it and destroys it (stopping the upstream read) if the client leaves.
        ctx.body = Readable.from(sseLines(stream, context));
        return;
      }
      const completion = await openai.chat.completions.create({ ...body, stream: false }, { signal: context.signal });
      if (completion.usage) context.recordUsage({ inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens });
      ctx.body = completion;
    } catch (error) {
      relayUpstreamError(error, ctx);
    }
  });

  v1.post('/embeddings', async (ctx) => {
    const context = ctx.state.tollgate!;
    if (!isObject(ctx.request.body)) {
      ctx.status = 400;
      ctx.body = openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body');
      return;
    }
    try {
      const result = await openai.embeddings.create(ctx.request.body as unknown as EmbeddingBody, { signal: context.signal });
      context.recordUsage({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 });
      ctx.body = result;
    } catch (error) {
      relayUpstreamError(error, ctx);
    }
  });

  v1.get('/models', async (ctx) => {
    try {
      const page = await openai.models.list({ signal: ctx.state.tollgate!.signal });
      ctx.body = { object: 'list', data: page.data };
    } catch (error) {
      relayUpstreamError(error, ctx);
    }
  });
  return v1;
}
