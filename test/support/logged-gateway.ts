// An Express gateway with the inference log, on a real socket, for the record and redaction tests.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import OpenAI from 'openai';
import {
  apiKey, createApiKey, gate, inferenceLog, memoryAuditSink, memoryKeyStore, memoryTenantStore, resolveTenant,
  type ClosableStep, type Gate, type InferenceLogOptions, type InferenceLogStep, type MemoryAuditSink,
} from '@tollgate/core';
import { startStubUpstream, type StubUpstream } from '@tollgate/core/stub-upstream';
import { tollgate } from '@tollgate/express';

/** Prices the tests compute costs with (USD per million tokens). */
export const testPrice = { inputPerMTok: 0.15, outputPerMTok: 0.6 };

// Stands in for validateRequest: reads the body, resolves the model with its price.
const modelStep: ClosableStep = {
  name: 'validateRequest',
  requires: [],
  async run(ctx) {
    const body = (await ctx.request.json()) as { model?: string; stream?: boolean; max_tokens?: number } | undefined;
    if (body?.model === undefined) return;
    ctx.model = { name: `${body.model}-2024-07-18`, requested: body.model, provider: 'openai', tags: [], price: testPrice };
    ctx.inference = { api: 'chat', stream: body.stream === true, maxTokens: body.max_tokens, n: 1, toolCount: 0, messageCount: 1, promptTokens: 9 };
  },
};

/** A running gateway and what the tests need from it. */
export interface LoggedGateway {
  readonly url: string;
  readonly sink: MemoryAuditSink;
  readonly log: InferenceLogStep;
  readonly gate: Gate;
  readonly keys: { readonly acme: string; readonly frozen: string };
  readonly stub: StubUpstream;
  close(): Promise<void>;
}

/**
 * Serves: POST /v1/chat/completions (stream or not, through the stub upstream), POST /v1/slow/stream
 * (an SSE stream that lasts seconds, for disconnects), POST /v1/broken (an upstream that is down: 502).
 */
export async function startLoggedGateway(logOptions: InferenceLogOptions = {}): Promise<LoggedGateway> {
  const stub = await startStubUpstream();
  const store = memoryKeyStore();
  const fast = { memoryCost: 1024, timeCost: 1 };
  const acme = await createApiKey({ subject: 'alice', tenantId: 'acme', env: 'test', hash: fast });
  const frozen = await createApiKey({ subject: 'bob', tenantId: 'frozen', env: 'test', hash: fast });
  await store.put(acme.record);
  await store.put(frozen.record);
  const sink = memoryAuditSink();
  const log = inferenceLog({ hashKey: 'test-hash-key-'.padEnd(40, 'x'), ...logOptions, sinks: [sink, ...(logOptions.sinks ?? [])] });
  const tenants = memoryTenantStore([
    { id: 'acme', status: 'active', tier: 'pro', tags: [] },
    { id: 'frozen', status: 'suspended', tags: [] },
  ]);
  const tg = gate({ inferenceLog: log, authenticate: { methods: [apiKey({ store })] }, resolveTenant: resolveTenant({ store: tenants }), validateRequest: modelStep });
  const openai = new OpenAI({ baseURL: stub.url, apiKey: 'stub', maxRetries: 0 });
  const down = new OpenAI({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'stub', maxRetries: 0, timeout: 2_000 });

  const app = express();
  app.use(express.json());
  app.use('/v1', tollgate(tg));
  app.post('/v1/chat/completions', async (req, res) => {
    const ctx = req.tollgate!;
    const body = req.body as OpenAI.Chat.ChatCompletionCreateParams;
    if (body.stream !== true) {
      const completion = await openai.chat.completions.create({ ...body, stream: false }, { signal: ctx.signal });
      ctx.recordUsage({ inputTokens: completion.usage!.prompt_tokens, outputTokens: completion.usage!.completion_tokens });
      res.json(completion);
      return;
    }
    const stream = await openai.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: ctx.signal });
    res.status(200).setHeader('content-type', 'text/event-stream');
    for await (const chunk of stream) {
      if (chunk.usage) ctx.recordUsage({ inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens });
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  });
  app.post('/v1/slow/stream', async (req, res) => {
    const ctx = req.tollgate!;
    res.status(200).setHeader('content-type', 'text/event-stream');
    for (let i = 0; i < 200 && !ctx.signal.aborted; i++) {
      ctx.recordUsage({ inputTokens: 9, outputTokens: i + 1 });
      res.write(`data: {"n":${i}}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    res.end();
  });
  app.post('/v1/broken', async (req, res) => {
    try {
      await down.chat.completions.create({ ...(req.body as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming) }, { signal: req.tollgate!.signal });
    } catch {
      res.status(502).json({ error: { message: 'The upstream model call failed.', type: 'upstream_error' } });
    }
  });

  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sink,
    log,
    gate: tg,
    keys: { acme: acme.key, frozen: frozen.key },
    stub,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await tg.close();
      await stub.close();
    },
  };
}
