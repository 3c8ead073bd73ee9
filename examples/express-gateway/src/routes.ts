// The OpenAI-compatible routes: each handler calls the model server-side, with the caller's abort signal.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import OpenAI from 'openai';
import type { TgContext } from '@tollgate/core';

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParams;
type EmbeddingBody = OpenAI.Embeddings.EmbeddingCreateParams;

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: { message, type: 'invalid_request_error', code: 'invalid_body', param: null } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Relays an upstream failure: the provider's own 4xx as it is, anything else as a 502. */
function relayUpstreamError(error: unknown, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    res.status(error.status).json(error.error ?? { error: { message: error.message, type: 'upstream_error' } });
    return;
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    res.end();
    return;
  }
  next(error);
}

async function streamChat(client: OpenAI, body: ChatBody, context: TgContext, res: Response): Promise<void> {
  const stream = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { ...(body.stream ? body.stream_options : {}), include_usage: true } },
    { signal: context.signal },
  );
  res.status(200).setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  for await (const chunk of stream) {
    if (chunk.usage) context.recordUsage({ inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens });
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

/**
 * Mounts `/chat/completions`, `/embeddings` and `/models` on a router that sits behind tollgate.
 * The body is parsed after authentication, so unauthenticated callers never get their body read.
 */
export function inferenceRoutes(client: OpenAI): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/chat/completions', async (req, res, next) => {
    const context = req.tollgate!;
    if (!isObject(req.body)) return badRequest(res, 'The body must be a JSON object.');
    const body = req.body as unknown as ChatBody;
    try {
      if (body.stream === true) return await streamChat(client, body, context, res);
      const completion = await client.chat.completions.create({ ...body, stream: false }, { signal: context.signal });
      if (completion.usage) context.recordUsage({ inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens });
      res.json(completion);
    } catch (error) {
      relayUpstreamError(error, res, next);
    }
  });

  router.post('/embeddings', async (req, res, next) => {
    if (!isObject(req.body)) return badRequest(res, 'The body must be a JSON object.');
    try {
      const result = await client.embeddings.create(req.body as unknown as EmbeddingBody, { signal: req.tollgate!.signal });
      req.tollgate!.recordUsage({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 });
      res.json(result);
    } catch (error) {
      relayUpstreamError(error, res, next);
    }
  });

  router.get('/models', async (req, res, next) => {
    try {
      const page = await client.models.list({ signal: req.tollgate!.signal });
      res.json({ object: 'list', data: page.data });
    } catch (error) {
      relayUpstreamError(error, res, next);
    }
  });

  return router;
}
