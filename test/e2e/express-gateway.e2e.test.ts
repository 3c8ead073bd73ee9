// The example gateway as a user runs it: a real process, driven by the official openai client and raw HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, formatApiKey, parseApiKey } from '@tollgate/core';
import { rememberSecret } from '../support/secret-ledger.js';
import { spawnExample, type RunningExample } from '../support/spawn-example.js';

const exampleDir = fileURLToPath(new URL('../../examples/express-gateway/', import.meta.url));
const banner = /demo API key \(shown once\)|-H "Authorization: Bearer tg_/;
const client = (url: string, apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

describe('examples/express-gateway with its own config (memory store, demo key, stub upstream)', () => {
  let app: RunningExample;
  let demoKey: string;

  beforeAll(async () => {
    app = await spawnExample(exampleDir, 'src/server.ts', { TOLLGATE_CONFIG: '' }, { bannerLines: banner });
    demoKey = (await app.waitFor(/demo API key \(shown once\): (tg_test_\S+)/))[1]!;
    rememberSecret(demoKey);
  });
  afterAll(() => app.stop());

  it('says it is using the stub and prints a curl line that works as written', async () => {
    expect(app.output()).toContain('built-in deterministic stub upstream');
    const curl = await app.waitFor(/curl (\S+) \\\n\s+-H "Authorization: Bearer (\S+)" -H "content-type: application\/json" \\\n\s+-d '([^']+)'/);
    const res = await fetch(curl[1]!, { method: 'POST', headers: { authorization: `Bearer ${curl[2]}`, 'content-type': 'application/json' }, body: curl[3] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as OpenAI.Chat.ChatCompletion).choices[0]?.message.content).toContain('stub reply');
  });

  it('completes a chat, streaming and not, with usage', async () => {
    const openai = client(app.url, demoKey);
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(completion.choices[0]?.message.content).toBe('stub reply: Hello there');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('stub reply: Stream me');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('runs the whole chain: tenant, policy, limits with their headers, and one record per request', async () => {
    const res = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json', 'x-request-id': 'chain-check-1' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('120');
    expect(res.headers.get('ratelimit-policy')).toContain('key-rpm');
    const record = JSON.parse((await app.waitFor(/^\{[^\n]*"request_id":"chain-check-1"[^\n]*"endpoint":[^\n]*\}$/m))[0]) as Record<string, unknown>;
    expect(record).toMatchObject({ tenant_id: 'demo', key_id: parseApiKey(demoKey)!.keyId, model: 'gpt-4o-mini', status: 200 });
    expect(JSON.stringify(record['decision'])).toContain('inference');
    const premium = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100000 }),
    });
    expect(premium.status).toBe(400);
  });

  it('serves embeddings and the model list to a good key', async () => {
    const openai = client(app.url, demoKey);
    const embeddings = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embeddings.data).toHaveLength(2);
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  it('surfaces a bad key as the client’s AuthenticationError', async () => {
    const wrong = formatApiKey({ ...parseApiKey(demoKey)!, secret: 'Q'.repeat(43) });
    rememberSecret(wrong);
    await expect(client(app.url, wrong).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client(app.url, 'sk-not-ours').chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('keeps /healthz public and every /v1 route protected', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    for (const [method, path] of [['POST', '/v1/chat/completions'], ['POST', '/v1/embeddings'], ['GET', '/v1/models'], ['GET', '/v1/anything']] as const) {
      const res = await fetch(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate-example"');
    }
  });

  it('refuses an unknown model and a non-object body before the upstream is called', async () => {
    const openai = client(app.url, demoKey);
    await expect(openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, code: 'model_not_found', param: 'model' });
    const res = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json' }, body: '[1,2]' });
    expect(res.status).toBe(400);
  });
});

describe('examples/express-gateway with TOLLGATE_CONFIG pointing at a hot-reloaded key file', () => {
  let app: RunningExample;
  let dir: string;
  let good: Awaited<ReturnType<typeof createApiKey>>;
  let revoked: Awaited<ReturnType<typeof createApiKey>>;
  const writeKeys = (records: unknown[]) => writeFileSync(join(dir, 'keys.yaml'), stringify({ keys: records }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-example-'));
    good = await createApiKey({ subject: 'svc-a', kind: 'service', tenantId: 'acme', env: 'live' });
    revoked = await createApiKey({ subject: 'svc-b', tenantId: 'acme', env: 'live' });
    for (const k of [good, revoked]) rememberSecret(k.key);
    writeKeys([good.record, { ...revoked.record, revokedAt: new Date(Date.now() - 1000).toISOString() }]);
    writeFileSync(join(dir, 'tollgate.yaml'), stringify({ version: 1, authenticate: { methods: [{ type: 'apiKey', store: { type: 'file', path: './keys.yaml' } }] } }));
    app = await spawnExample(exampleDir, 'src/server.ts', { TOLLGATE_CONFIG: join(dir, 'tollgate.yaml') });
  });
  afterAll(() => app.stop());

  it('prints no demo key for a config of your own', () => {
    expect(app.output()).not.toContain('demo API key');
  });

  it('accepts a key from the file and refuses a revoked one identically to an unknown one', async () => {
    const ok = await client(app.url, good.key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]?.message.content).toBe('stub reply: hi');
    const unknown = formatApiKey({ ...parseApiKey(good.key)!, keyId: 'NoSuchKeyId0' });
    const responses = await Promise.all([revoked.key, unknown].map(async (key) => {
      const res = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, auth: res.headers.get('www-authenticate'), body: await res.text() };
    }));
    expect(responses[0]!.status).toBe(401);
    expect(responses[1]).toEqual(responses[0]);
  });

  it('answers the bad-input catalogue with clean 4xx over a real socket', async () => {
    const parts = parseApiKey(good.key)!;
    const cases: Array<[Record<string, string>, number]> = [
      [{ authorization: 'Bearer ' }, 400],
      [{ authorization: `Bearer ${'k'.repeat(8192)}` }, 401],
      [{ authorization: `Bearer ${good.key.slice(0, -1)}${good.key.endsWith('z') ? 'y' : 'z'}` }, 401],
      [{ authorization: `Bearer ${good.key.replace('tg_', 'gt_')}` }, 401],
      [{ authorization: `Bearer tg_live_${parts.keyId}_${parts.secret}` }, 401],
      [{ authorization: `Token ${good.key}` }, 401],
      [{ authorization: `bearer ${good.key}` }, 200],
      [{ 'x-api-key': good.key }, 200],
      [{ authorization: `Bearer ${good.key}`, 'x-api-key': revoked.key }, 400],
    ];
    for (const [headers, status] of cases) {
      const res = await fetch(`${app.url}/v1/models`, { headers });
      expect({ headers: Object.keys(headers), status: res.status }).toEqual({ headers: Object.keys(headers), status });
    }
  });

  it('stops accepting a cached key as soon as it is deleted from the file', async () => {
    const openai = client(app.url, good.key);
    await openai.models.list();
    await openai.models.list();
    writeKeys([{ ...revoked.record, revokedAt: new Date(Date.now() - 1000).toISOString() }]);
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${good.key}` } })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  });
});
