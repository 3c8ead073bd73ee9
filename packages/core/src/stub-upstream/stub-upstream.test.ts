// Drives the stub upstream over a real socket with the official `openai` client and raw fetch.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStubUpstream, type StubUpstream } from './index.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let stub: StubUpstream;
let slow: StubUpstream;
let openai: OpenAI;

beforeAll(async () => {
  stub = await startStubUpstream();
  // A paced stream leaves time to abort it half-way.
  slow = await startStubUpstream({ delayMs: 25, models: ['gpt-4o-mini'] });
  openai = new OpenAI({ baseURL: stub.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([stub.close(), slow.close()]);
});

// system "You are terse." is 14 chars: ceil(14/4) + 3 = 7; user "Tell me about tollgate please" is
// 29 chars: ceil(29/4) + 3 = 11; prompt = 18. Reply "stub reply: Tell me about tollgate please" = 7 words.
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Tell me about tollgate please' },
] as const;
const expectedReply = 'stub reply: Tell me about tollgate please';

describe('stub upstream: models', () => {
  it('lists the configured models in OpenAI shape, bound on loopback', async () => {
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const ids: string[] = [];
    for await (const model of openai.models.list()) {
      expect(model).toMatchObject({ object: 'model', owned_by: 'tollgate-stub' });
      expect(Number.isInteger(model.created)).toBe(true);
      ids.push(model.id);
    }
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small']);
    await expect(openai.models.retrieve('gpt-4o')).resolves.toMatchObject({ id: 'gpt-4o' });
  });
});

describe('stub upstream: chat completions', () => {
  it('answers deterministically with usage that follows the documented rule', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [...messages] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: expectedReply });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 18, completion_tokens: 7, total_tokens: 25 });
  });

  it('returns n choices and counts completion tokens over all of them', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [...messages], n: 3 });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    for (const choice of completion.choices) expect(choice.message.content).toBe(expectedReply);
    expect(completion.usage).toEqual({ prompt_tokens: 18, completion_tokens: 21, total_tokens: 39 });
  });

  it('echoes only the first 40 characters of the last user message', async () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve';
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'an earlier question' },
        { role: 'assistant', content: 'an earlier answer' },
        { role: 'user', content: [{ type: 'text', text: long }] },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(`stub reply: ${long.slice(0, 40).trim()}`);
  });

  it('caps the reply at max_tokens or max_completion_tokens and reports finish_reason length', async () => {
    const capped = await openai.chat.completions.create({ model: 'gpt-4o', messages: [...messages], max_tokens: 2 });
    expect(capped.choices[0]?.message.content).toBe('stub reply:');
    expect(capped.choices[0]?.finish_reason).toBe('length');
    expect(capped.usage?.completion_tokens).toBe(2);

    const newer = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [...messages],
      max_completion_tokens: 4,
    });
    expect(newer.choices[0]?.message.content).toBe('stub reply: Tell me');
    expect(newer.usage).toEqual({ prompt_tokens: 18, completion_tokens: 4, total_tokens: 22 });

    const roomy = await openai.chat.completions.create({ model: 'gpt-4o', messages: [...messages], max_tokens: 7 });
    expect(roomy.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams a role chunk, one chunk per word, a finish chunk and a final usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [...messages],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(expectedReply);
    // role + 7 words + finish + usage
    expect(chunks).toHaveLength(10);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 18, completion_tokens: 7, total_tokens: 25 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('streams a capped reply without a usage chunk unless asked', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [...messages],
      stream: true,
      max_tokens: 3,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('stub reply: Tell');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
  });

  it('survives a client that aborts a stream half-way, and keeps serving', async () => {
    const client = new OpenAI({ baseURL: slow.url, apiKey: 'unused', maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [...messages], stream: true },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    // The client ends the iteration quietly on abort; the server sees the socket close.
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 3) controller.abort();
    }
    expect(seen.slice(0, 3).join('')).toBe('stub reply:');
    expect(seen.length).toBeLessThan(9);
    // The server notices the closed socket and stops producing (bounded wait, no timing asserted).
    for (let tries = 0; tries < 200 && slow.abortedStreams === 0; tries += 1) await pause(10);
    expect(slow.abortedStreams).toBe(1);
    expect(slow.openStreams).toBe(0);

    // A full paced stream outlasts what the aborted one had left to send, so a write into the
    // closed socket would surface here as an unhandled error or a failed request.
    const before = slow.requests;
    const again = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [...messages],
      stream: true,
    });
    let text = '';
    for await (const chunk of again) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply);
    expect(slow.requests).toBe(before + 1);
    expect(slow.abortedStreams).toBe(1);
  });
});

describe('stub upstream: embeddings', () => {
  it('embeds a string into a deterministic unit vector of 8 numbers', async () => {
    const first = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    const again = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    const other = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello there' });
    expect(first).toMatchObject({ object: 'list', model: 'text-embedding-3-small' });
    const vector = first.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(again.data[0]?.embedding).toEqual(vector);
    expect(other.data[0]?.embedding).not.toEqual(vector);
    // "hello world" is 11 chars: ceil(11/4) = 3.
    expect(first.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('embeds an array in order, and the float and base64 encodings agree', async () => {
    const inputs = ['hello world', 'a', 'the quick brown fox'];
    const viaBase64 = await openai.embeddings.create({ model: 'text-embedding-3-small', input: inputs });
    const viaFloat = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: inputs,
      encoding_format: 'float',
    });
    const single = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'a' });
    expect(viaBase64.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(viaFloat.data.map((item) => item.embedding)).toEqual(viaBase64.data.map((item) => item.embedding));
    expect(viaFloat.data[1]?.embedding).toEqual(single.data[0]?.embedding);
    // 3 + 1 + 5 tokens (11, 1 and 19 chars).
    expect(viaFloat.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
  });
});
