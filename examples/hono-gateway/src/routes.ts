// The OpenAI-compatible routes as a Hono sub-app: each handler calls the model server-side, with the caller's abort signal.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { streamSSE } from 'hono/streaming';
import OpenAI from 'openai';
import type { GatewayEnv } from './app.js';

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParams;
type EmbeddingBody = OpenAI.Embeddings.EmbeddingCreateParams;

const openAiError = (message: string, type: string, code: string) => ({ error: { message, type, code, param: null } });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object body, or undefined when the body is missing, not JSON or not an object. */
async function objectBody(c: Context): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return isObject(body) ? body : undefined;
}

/** Relays an upstream failure: the provider's own 4xx as it is; anything else goes to app.onError (502). */
function relayUpstreamError(error: unknown, c: Context): Response {
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    return c.json(error.error ?? openAiError(error.message, 'upstream_error', 'upstream_failed'), error.status as ContentfulStatusCode);
  }
  throw error;
}

/**
 * `/chat/completions`, `/embeddings` and `/models`, mounted under a prefix that tollgate guards.
 * The body is read only after tollgate let the request through.
 */
export function inferenceRoutes(openai: OpenAI): Hono<GatewayEnv> {
  const v1 = new Hono<GatewayEnv>();
  v1.use('*', bodyLimit({ maxSize: 1_048_576, onError: (c) => c.json(openAiError('The request body is too large.', 'invalid_request_error', 'request_too_large'), 413) }));

  v1.post('/chat/completions', async (c) => {
    const context = c.get('tollgate');
    const body = (await objectBody(c)) as ChatBody | undefined;
    if (body === undefined) return c.json(openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body'), 400);
    try {
      if (body.stream !== true) {
        const completion = await openai.chat.completions.create({ ...body, stream: false }, { signal: context.signal });
        if (completion.usage) context.recordUsage({ inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens });
        return c.json(completion);
      }
      const stream = await openai.chat.completions.create(
        { ...body, stream: true, stream_options: { ...body.stream_options, include_usage: true } },
        { signal: context.signal },
      );
      // streamSSE cancels this callback's writes when the client leaves; tollgate's signal stops the upstream read.
      return streamSSE(c, async (sse) => {
        for await (const chunk of stream) {
          if (chunk.usage) context.recordUsage({ inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens });
          await sse.writeSSE({ data: JSON.stringify(chunk) });
        }
        await sse.writeSSE({ data: '[DONE]' });
      });
    } catch (error) {
      return relayUpstreamError(error, c);
    }
  });

  v1.post('/embeddings', async (c) => {
    const context = c.get('tollgate');
    const body = (await objectBody(c)) as EmbeddingBody | undefined;
    if (body === undefined) return c.json(openAiError('The body must be a JSON object.', 'invalid_request_error', 'invalid_body'), 400);
    try {
      const result = await openai.embeddings.create(body, { signal: context.signal });
      context.recordUsage({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 });
      return c.json(result);
    } catch (error) {
      return relayUpstreamError(error, c);
    }
  });

  v1.get('/models', async (c) => {
    try {
      const page = await openai.models.list({ signal: c.get('tollgate').signal });
      return c.json({ object: 'list', data: page.data });
    } catch (error) {
      return relayUpstreamError(error, c);
    }
  });
  return v1;
}
