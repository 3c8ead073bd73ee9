// The stub upstream's refusals: OpenAI-shaped 400/404/413 answers, start-up checks, and shutdown.
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { startStubUpstream, type StubUpstream } from './index.js';

let stub: StubUpstream;
let openai: OpenAI;

beforeAll(async () => {
  stub = await startStubUpstream({ models: ['stub-chat', 'stub-embed'] });
  openai = new OpenAI({ baseURL: stub.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await stub.close();
});

/** POSTs a raw body with no Authorization header, as a client the stub does not vet. */
async function post(path: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${stub.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, json: await response.json() };
}

describe('stub upstream: client errors', () => {
  it('surfaces an unknown model as the client NotFoundError with model_not_found', async () => {
    const chat = openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await expect(chat).rejects.toBeInstanceOf(NotFoundError);
    await expect(chat).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
      type: 'invalid_request_error',
    });
    const embed = openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    await expect(embed).rejects.toBeInstanceOf(NotFoundError);
    await expect(openai.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers invalid JSON with 400 in OpenAI error shape', async () => {
    const { status, json } = await post('/chat/completions', '{"model": "stub-chat", ');
    expect(status).toBe(400);
    expect(json).toEqual({
      error: {
        message: expect.stringContaining('parse the JSON'),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('names the missing or invalid field in param', async () => {
    const hi = [{ role: 'user', content: 'hi' }];
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ['/chat/completions', { messages: hi }, 'model'],
      ['/chat/completions', { model: 'stub-chat' }, 'messages'],
      ['/chat/completions', { model: 'stub-chat', messages: [] }, 'messages'],
      ['/chat/completions', { model: 'stub-chat', messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role'],
      ['/chat/completions', { model: 'stub-chat', messages: hi, max_tokens: 0 }, 'max_tokens'],
      ['/chat/completions', { model: 'stub-chat', messages: hi, n: 1.5 }, 'n'],
      ['/chat/completions', { model: 'stub-chat', messages: hi, stream_options: { include_usage: true } }, 'stream_options'],
      ['/embeddings', { model: 'stub-embed' }, 'input'],
      ['/embeddings', { model: 'stub-embed', input: [1, 2] }, 'input'],
      ['/embeddings', { model: 'stub-embed', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    ];
    for (const [path, body, param] of cases) {
      const { status, json } = await post(path, JSON.stringify(body));
      expect({ path, param, status }).toEqual({ path, param, status: 400 });
      expect(json).toMatchObject({ error: { type: 'invalid_request_error', param } });
    }
    await expect(
      openai.chat.completions.create({ model: 'stub-chat', messages: [{ role: 'user', content: 'hi' }], n: 0 }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it('answers unknown routes and wrong methods with 404', async () => {
    const unknown = await post('/completions/legacy', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('Invalid URL') },
    });
    const wrongMethod = await fetch(`${stub.url}/chat/completions`);
    expect(wrongMethod.status).toBe(404);
  });

  it('answers a body over 1 MiB with 413 and keeps the connection usable', async () => {
    const big = JSON.stringify({ model: 'stub-embed', input: 'x'.repeat(1_048_576) });
    const { status, json } = await post('/embeddings', big);
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: { type: 'invalid_request_error' } });
    const ok = await post('/embeddings', JSON.stringify({ model: 'stub-embed', input: 'x' }));
    expect(ok.status).toBe(200);
  });

  it('serves requests without any Authorization header', async () => {
    const { status, json } = await post(
      '/chat/completions',
      JSON.stringify({ model: 'stub-chat', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'stub reply: hi' } }] });
  });
});

describe('stub upstream: start-up and shutdown', () => {
  it('rejects out-of-range options with a ConfigError naming the option', async () => {
    await expect(startStubUpstream({ port: -1 })).rejects.toThrow(ConfigError);
    await expect(startStubUpstream({ models: [] })).rejects.toThrow(/'models'/);
    await expect(startStubUpstream({ delayMs: Number.NaN })).rejects.toThrow(/'delayMs'/);
  });

  it('counts requests, closes idempotently and refuses connections afterwards', async () => {
    const own = await startStubUpstream({ port: 0 });
    const client = new OpenAI({ baseURL: own.url, apiKey: 'unused', maxRetries: 0 });
    await client.models.list();
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(own.requests).toBe(2);
    await Promise.all([own.close(), own.close()]);
    await expect(fetch(`${own.url}/models`)).rejects.toThrow();
  });
});
