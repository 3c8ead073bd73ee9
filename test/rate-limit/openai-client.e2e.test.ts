// The official openai client against an Express app with rateLimit and the stub upstream: it backs off as told, and stops on an exhausted budget.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, createApiKey, gate, memoryKeyStore, rateLimit, type Gate } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { startStubUpstream, type StubUpstream } from '@tollgate/core/stub-upstream';
import { chatBodyFixture } from '../support/inference-fixture.js';
import { rememberSecret } from '../support/secret-ledger.js';

interface Attempt {
  readonly path: string;
  readonly at: number;
  status?: number;
  retryAfterMs?: number;
}

describe('the openai client against a rate-limited app', () => {
  let upstream: StubUpstream;
  let server: Server;
  let baseURL: string;
  let key: string;
  const gates: Gate[] = [];
  const attempts: Attempt[] = [];

  beforeAll(async () => {
    upstream = await startStubUpstream();
    const model = new OpenAI({ baseURL: upstream.url, apiKey: 'stub' });
    const keys = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    rememberSecret(key);
    await keys.put(created.record);
    const chain = (rules: Parameters<typeof rateLimit>[0]['rules']) => {
      const built = gate({ authenticate: { methods: [apiKey({ store: keys })] }, validateRequest: chatBodyFixture(), rateLimit: rateLimit({ rules }) });
      gates.push(built);
      return tollgate(built);
    };
    const app = express();
    app.use((req, res, next) => {
      const attempt: Attempt = { path: req.path, at: performance.now() };
      attempts.push(attempt);
      res.on('finish', () => {
        attempt.status = res.statusCode;
        const ms = res.getHeader('retry-after-ms');
        if (ms !== undefined) attempt.retryAfterMs = Number(ms);
      });
      next();
    });
    // One request per second per key; and a separate route under a tiny spend budget.
    app.use('/rated/v1', chain([{ name: 'key-rps', scope: 'key', unit: 'requests', limit: 1, window: '1s' }]));
    app.use('/budget/v1', chain([{ name: 'tenant-spend', scope: 'tenant', unit: 'usd', limit: 0.0004, window: 'month' }]));
    const relay: express.RequestHandler = async (req, res, next) => {
      try {
        const completion = await model.chat.completions.create({ ...(req.body as OpenAI.ChatCompletionCreateParamsNonStreaming), stream: false }, { signal: req.tollgate!.signal });
        if (completion.usage) req.tollgate!.recordUsage({ inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens });
        res.json(completion);
      } catch (error) {
        next(error);
      }
    };
    app.post('/rated/v1/chat/completions', relay);
    app.post('/budget/v1/chat/completions', relay);
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const g of gates) await g.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await upstream.close();
  });

  const ask = (client: OpenAI) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 8 });

  it('waits as long as retry-after-ms says after a 429, then succeeds', async () => {
    const client = new OpenAI({ baseURL: `${baseURL}/rated/v1`, apiKey: key, maxRetries: 3 });
    let retried: { denial: Attempt; next: Attempt } | undefined;
    // A call may land at the start of a fresh one-second window and pass at once; a few calls make a 429 certain.
    for (let call = 0; call < 4 && retried === undefined; call++) {
      const before = attempts.length;
      const completion = await ask(client);
      expect(completion.choices[0]?.message.content).toMatch(/^stub reply:/);
      const mine = attempts.slice(before).filter((a) => a.path === '/rated/v1/chat/completions');
      const index = mine.findIndex((a) => a.status === 429);
      if (index !== -1) retried = { denial: mine[index]!, next: mine[index + 1]! };
    }
    expect(retried).toBeDefined();
    const { denial, next } = retried!;
    expect(denial.retryAfterMs).toBeGreaterThan(0);
    expect(denial.retryAfterMs).toBeLessThanOrEqual(1000);
    // The client slept at least the announced time (less the time the 429 took to reach it).
    expect(next.at - denial.at).toBeGreaterThanOrEqual(denial.retryAfterMs! - 20);
    expect(next.status).toBe(200);
  });

  it('does not retry an exhausted budget, and learns when it resets', async () => {
    const client = new OpenAI({ baseURL: `${baseURL}/budget/v1`, apiKey: key, maxRetries: 3 });
    await ask(client);
    const before = attempts.filter((a) => a.path === '/budget/v1/chat/completions').length;
    const error = await ask(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiError.code).toBe('insufficient_quota');
    expect(apiError.type).toBe('insufficient_quota');
    expect(apiError.headers.get('x-should-retry')).toBe('false');
    expect(Date.parse((apiError.error as { resets_at: string }).resets_at)).toBeGreaterThan(Date.now());
    expect(attempts.filter((a) => a.path === '/budget/v1/chat/completions').length - before).toBe(1);
  });
});
