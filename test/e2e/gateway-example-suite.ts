// The smoke test every example gateway passes: a real process, driven by the official openai client and raw HTTP.
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

const banner = /demo API key \(shown once\)|-H "Authorization: Bearer tg_/;
const client = (url: string, apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

interface RequestLine { msg: string; status: number; path: string; request_id?: string; output_tokens?: number; key_id?: string }

interface InferenceRecordLine { request_id: string; status: number; stream: boolean; output_tokens: number | null; aborted?: boolean; hash?: string }

/** The inference records (one JSON line per request, from the example's `inferenceLog`) printed so far. */
function inferenceRecords(app: RunningExample): InferenceRecordLine[] {
  return app.output().split('\n').filter((line) => line.startsWith('{"v":')).map((line) => JSON.parse(line) as InferenceRecordLine);
}

/** The example's `request` log lines so far. */
function requestLines(app: RunningExample): RequestLine[] {
  return app.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RequestLine).filter((line) => line.msg === 'request');
}

/**
 * Declares the smoke tests of `examples/<name>`.
 *
 * @example
 * describeGatewayExample('fastify-gateway'); // test/e2e/fastify-gateway.e2e.test.ts
 */
export function describeGatewayExample(name: string): void {
  const exampleDir = fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url));

  describe(`examples/${name} with its own config (memory store, demo key, stub upstream)`, () => {
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

    it('completes a chat, streaming and not, with usage, and logs one line per request with the tokens', async () => {
      const openai = client(app.url, demoKey);
      const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
      expect(completion.choices[0]?.message.content).toBe('stub reply: Hello there');
      expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me' }], stream: true });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('stub reply: Stream me');
      expect(usage?.total_tokens).toBeGreaterThan(0);
      const { response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Log me' }], stream: true }).withResponse();
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^req_/);
      await app.waitFor(new RegExp(`"request_id":"${requestId}"[^\\n]*"msg":"request"`));
      const line = requestLines(app).find((l) => l.request_id === requestId)!;
      expect(line).toMatchObject({ status: 200, path: '/v1/chat/completions', key_id: parseApiKey(demoKey)!.keyId });
      expect(line.output_tokens).toBeGreaterThan(0);
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

    it('keeps /healthz public and every /v1 path protected, unknown ones included', async () => {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      for (const [method, path] of [['POST', '/v1/chat/completions'], ['POST', '/v1/embeddings'], ['GET', '/v1/models'], ['GET', '/v1/anything']] as const) {
        const res = await fetch(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate-example"');
      }
    });

    it('refuses an unknown model and a non-object or broken body before the upstream is called', async () => {
      const openai = client(app.url, demoKey);
      await expect(openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, code: 'model_not_found', param: 'model' });
      for (const body of ['[1,2]', '{"model":']) {
        const res = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json' }, body });
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
      }
    });

    it('writes one inference record per request, for a stream with its usage and for a refusal', async () => {
      const id = `record-${name}`;
      const stream = await client(app.url, demoKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Record me' }], stream: true }, { headers: { 'x-request-id': id } });
      for await (const _chunk of stream) void _chunk;
      await fetch(`${app.url}/v1/models`, { headers: { 'x-request-id': `${id}-refused` } });
      await app.waitFor(new RegExp(`"request_id":"${id}-refused"[^\\n]*"hash"`));
      await app.waitFor(new RegExp(`"request_id":"${id}"[^\\n]*"hash"`));
      const records = inferenceRecords(app);
      const streamed = records.filter((r) => r.request_id === id);
      expect(streamed).toHaveLength(1);
      expect(streamed[0]).toMatchObject({ status: 200, stream: true, aborted: false });
      expect(streamed[0]!.output_tokens).toBeGreaterThan(0);
      expect(records.filter((r) => r.request_id === `${id}-refused`)).toMatchObject([{ status: 401 }]);
    });

    it('logs and records a stream the client left early once, and keeps serving', async () => {
      const controller = new AbortController();
      const stream = await client(app.url, demoKey).chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long answer '.repeat(50) }], stream: true },
        { signal: controller.signal, headers: { 'x-request-id': `abort-${name}` } },
      );
      for await (const _chunk of stream) break;
      controller.abort();
      await app.waitFor(new RegExp(`"request_id":"abort-${name}"[^\\n]*"msg":"request"`));
      expect(requestLines(app).filter((l) => l.request_id === `abort-${name}`)).toHaveLength(1);
      await app.waitFor(new RegExp(`"request_id":"abort-${name}"[^\\n]*"hash"`));
      // The stub may finish before the abort arrives, so `aborted` is not asserted here (test/adapters proves it per framework).
      expect(inferenceRecords(app).filter((r) => r.request_id === `abort-${name}`)).toMatchObject([{ status: 200, stream: true }]);
      expect((await client(app.url, demoKey).models.list()).data.length).toBeGreaterThan(0);
    });
  });

  describe(`examples/${name} with TOLLGATE_CONFIG pointing at a hot-reloaded key file`, () => {
    let app: RunningExample;
    let dir: string;
    let good: Awaited<ReturnType<typeof createApiKey>>;
    let revoked: Awaited<ReturnType<typeof createApiKey>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `tollgate-${name}-`));
      good = await createApiKey({ subject: 'svc-a', kind: 'service', tenantId: 'acme', env: 'live' });
      revoked = await createApiKey({ subject: 'svc-b', tenantId: 'acme', env: 'live' });
      for (const k of [good, revoked]) rememberSecret(k.key);
      writeFileSync(join(dir, 'keys.yaml'), stringify({ keys: [good.record, { ...revoked.record, revokedAt: new Date(Date.now() - 1000).toISOString() }] }));
      writeFileSync(join(dir, 'tollgate.yaml'), stringify({ version: 1, authenticate: { methods: [{ type: 'apiKey', store: { type: 'file', path: './keys.yaml' } }] } }));
      app = await spawnExample(exampleDir, 'src/server.ts', { TOLLGATE_CONFIG: join(dir, 'tollgate.yaml') });
    });
    afterAll(() => app.stop());

    it('prints no demo key, accepts a key from the file and refuses a revoked one identically to an unknown one', async () => {
      expect(app.output()).not.toContain('demo API key');
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
  });
}
