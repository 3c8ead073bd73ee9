// validateRequest over a real socket: Express, the stub upstream behind a forwarding handler, the official openai client.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKey, createApiKey, gate, memoryKeyStore, validateRequest, type Step, type TgContext } from '@tollgate/core';
import { startStubUpstream, type StubUpstream } from '@tollgate/core/stub-upstream';
import { tollgate } from '@tollgate/express';
import { rememberSecret } from '../support/secret-ledger.js';

describe('validateRequest with @tollgate/express and the stub upstream', () => {
  let stub: StubUpstream;
  let server: Server;
  let url: string;
  let key: string;
  const finished: TgContext[] = [];
  const handled: unknown[] = [];

  beforeAll(async () => {
    stub = await startStubUpstream();
    const store = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    rememberSecret(key);
    await store.put(created.record);
    const recorder: Step = { name: 'recorder', requires: [], run: () => undefined, finish: (context) => void finished.push(context) };
    const models = {
      'gpt-4o-mini': { provider: 'openai', contextWindow: 4096, maxOutputTokens: 1024, caps: { n: 4 } },
      'text-embedding-3-small': { provider: 'openai', apis: ['embeddings' as const] },
    };
    const app = express();
    app.use('/v1', tollgate(gate({ authenticate: { methods: [apiKey({ store })] }, validateRequest: validateRequest({ models }), steps: [recorder] })));
    // The handler forwards the body tollgate parsed and checked, and pipes the upstream's answer back as it comes.
    app.post(['/v1/chat/completions', '/v1/embeddings'], async (req, res) => {
      handled.push(req.body);
      const upstream = await fetch(`${stub.url}${req.path.slice('/v1'.length)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req.body),
        signal: req.tollgate!.signal,
      });
      res.status(upstream.status).setHeader('content-type', upstream.headers.get('content-type') ?? 'application/json');
      for await (const chunk of upstream.body! as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      res.end();
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stub.close();
  });

  const post = (path: string, body: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  const finishedWith = async (requestId: string): Promise<TgContext> => {
    await vi.waitFor(() => expect(finished.some((c) => c.requestId === requestId)).toBe(true));
    return finished.find((c) => c.requestId === requestId)!;
  };

  it('never lets a bad body reach the upstream, and names the field at fault', async () => {
    const before = stub.requests;
    const cases: Array<[string, string, string | null]> = [
      ['{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"max_tokens":5000}', 'duplicate_key', 'max_tokens'],
      ['{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":7}]}', 'invalid_request_body', 'messages[2].content'],
      ['{"model":"gpt-5-ultra","messages":[{"role":"user","content":"hi"}]}', 'model_not_found', 'model'],
      ['{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"n":5}', 'cap_exceeded', 'n'],
      [`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'lorem ipsum dolor '.repeat(3000)}"}]}`, 'context_length_exceeded', 'messages'],
      ['{"model":"text-embedding-3-small","messages":[{"role":"user","content":"hi"}]}', 'unsupported_capability', 'model'],
      [`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"metadata":${'['.repeat(100)}${']'.repeat(100)}}`, 'nesting_too_deep', null],
    ];
    for (const [body, code, param] of cases) {
      const res = await post('/v1/chat/completions', body);
      expect(res.status, code).toBe(400);
      expect((await res.json()) as unknown).toMatchObject({ error: { code, param } });
    }
    expect(stub.requests).toBe(before);
    expect(handled).toHaveLength(0);
  });

  it('reads usage from a JSON answer into the context, and hands the parsed body to the handler', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] };
    const res = await post('/v1/chat/completions', JSON.stringify(body));
    const answer = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(res.status).toBe(200);
    expect(handled.at(-1)).toEqual(body);
    const context = await finishedWith(res.headers.get('x-request-id')!);
    expect(context.usage).toEqual({ inputTokens: answer.usage.prompt_tokens, outputTokens: answer.usage.completion_tokens });
    expect(context.inference).toMatchObject({ api: 'chat', stream: false, messageCount: 1 });
    expect(context.decisions['validateRequest']).toMatchObject({ model: 'gpt-4o-mini', response: { usage: 'response' } });
  });

  it("reads usage from a stream's final chunk, through the official openai client", async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream me a reply' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let reported: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) reported = chunk.usage;
    expect(reported).toBeDefined();
    const context = await finishedWith(response.headers.get('x-request-id')!);
    expect(context.usage).toEqual({ inputTokens: reported!.prompt_tokens, outputTokens: reported!.completion_tokens });
    expect(context.inference).toMatchObject({ stream: true });
  });

  it('reads embeddings usage (input only), and records none for a stream that did not ask for it', async () => {
    const embed = await post('/v1/embeddings', '{"model":"text-embedding-3-small","input":["one two","three"]}');
    const { usage } = (await embed.json()) as { usage: { prompt_tokens: number } };
    expect((await finishedWith(embed.headers.get('x-request-id')!)).usage).toEqual({ inputTokens: usage.prompt_tokens, outputTokens: 0 });
    const bare = await post('/v1/chat/completions', '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}');
    await bare.text();
    const context = await finishedWith(bare.headers.get('x-request-id')!);
    expect(context.usage).toBeUndefined();
    expect(context.decisions['validateRequest']).toMatchObject({ response: { usage: 'none' } });
  });
});
