// Every field of the inference record, over real sockets: allowed, denied, streamed, aborted and failed-upstream requests.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, contentHasher, type AuditRecord } from '@tollgate/core';
import { startLoggedGateway, testPrice, type LoggedGateway } from '../support/logged-gateway.js';
import { rememberSecret } from '../support/secret-ledger.js';

const hasher = contentHasher('test-hash-key-'.padEnd(40, 'x'));
const messages = [{ role: 'user', content: 'Hello there' }];
const fields = [
  'v', 'ts', 'ts_end', 'request_id', 'tenant_id', 'user_id', 'key_id', 'auth_method', 'method', 'endpoint', 'route', 'model', 'model_requested',
  'provider', 'api', 'status', 'outcome', 'reason', 'latency_ms', 'ttft_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'decision',
  'prompt_sha256', 'output_sha256', 'hash_key_id', 'ip', 'user_agent', 'stream', 'aborted', 'response_bytes',
];
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let gw: LoggedGateway;
beforeAll(async () => {
  gw = await startLoggedGateway();
  rememberSecret(gw.keys.acme);
  rememberSecret(gw.keys.frozen);
});
afterAll(() => gw.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; id: string }> {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'records-test/1', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), id: res.headers.get('x-request-id')! };
}
const recordOf = (id: string): Promise<AuditRecord> => gw.sink.waitFor((r) => r.request_id === id);
const auth = () => ({ authorization: `Bearer ${gw.keys.acme}` });

/** The checks every record passes, whatever happened to the request. */
function checkCommon(record: AuditRecord, id: string): void {
  expect(Object.keys(record)).toEqual(fields);
  expect(record.v).toBe(1);
  expect(record.request_id).toBe(id);
  expect(record.ts).toMatch(iso);
  expect(Date.parse(record.ts_end) - Date.parse(record.ts)).toBeGreaterThanOrEqual(Math.floor(record.latency_ms) - 1);
  expect(record.method).toBe('POST');
  expect(record.ip).toBe('127.0.0.1');
  expect(record.user_agent).toBe('records-test/1');
  expect(record.hash_key_id).toBe(hasher.keyId);
  expect(record.latency_ms).toBeGreaterThan(0);
}

describe('the inference record', () => {
  it('of an allowed request carries identity, model, tokens, cost, decisions and hashes', async () => {
    const { status, text, id } = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, max_tokens: 64 }, auth());
    expect(status).toBe(200);
    const record = await recordOf(id);
    checkCommon(record, id);
    const usage = (JSON.parse(text) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    expect(record).toMatchObject({
      tenant_id: 'acme', user_id: 'alice', key_id: expect.any(String), auth_method: 'api_key', endpoint: '/v1/chat/completions', route: null,
      model: 'gpt-4o-mini-2024-07-18', model_requested: 'gpt-4o-mini', provider: 'openai', api: 'chat', status: 200, outcome: 'success', reason: null,
      ttft_ms: null, input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, stream: false, aborted: false,
      response_bytes: Buffer.byteLength(text),
    });
    expect(record.cost_usd).toBeCloseTo((usage.prompt_tokens * testPrice.inputPerMTok + usage.completion_tokens * testPrice.outputPerMTok) / 1e6, 12);
    expect(Object.keys(record.decision).sort()).toEqual(['authn', 'tenant']);
    expect(record.decision.authn).toEqual({ outcome: 'allow', method: 'api_key', cached: expect.any(Boolean), key_id: record.key_id });
    expect(record.decision.tenant).toMatchObject({ outcome: 'allow', tenant_id: 'acme', source: 'principal' });
    expect(record.prompt_sha256).toBe(hasher.hash(canonicalJson({ messages })));
    expect(record.output_sha256).toBe(hasher.hash(text));
    expect(record).not.toHaveProperty('prompt');
    expect(record).not.toHaveProperty('output');
  });

  it.each([
    ['no credential', {}, 401, 'authenticate', 'TG_MISSING_CREDENTIAL'],
    ['a wrong key', { authorization: 'Bearer tg_test_AAAAAAAAAAAA_' + 'B'.repeat(49) }, 401, 'authenticate', 'TG_INVALID_CREDENTIAL'],
    ['a suspended tenant', 'frozen', 403, 'resolveTenant', 'TG_TENANT_SUSPENDED'],
  ] as const)('of a request refused for %s names the step and the reason', async (_what, headers, status, step, code) => {
    const sent = headers === 'frozen' ? { authorization: `Bearer ${gw.keys.frozen}` } : headers;
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages }, sent);
    expect(res.status).toBe(status);
    const record = await recordOf(res.id);
    checkCommon(record, res.id);
    expect(record).toMatchObject({
      status, outcome: 'denied', reason: code, model: null, model_requested: null, api: null, input_tokens: null, output_tokens: null, cost_usd: null,
      prompt_sha256: null, output_sha256: null, ttft_ms: null, stream: false, aborted: false, response_bytes: 0,
    });
    expect(record.decision.refusal).toEqual({ step, code, status });
    if (step === 'authenticate') {
      // The method that turned the credential down is named; nobody is attributed.
      expect(record).toMatchObject({ tenant_id: null, user_id: null, key_id: null, auth_method: code === 'TG_INVALID_CREDENTIAL' ? 'api_key' : null });
      expect(record.decision.authn).toMatchObject({ outcome: 'deny', reason: code });
    } else {
      expect(record).toMatchObject({ tenant_id: 'frozen', user_id: 'bob', auth_method: 'api_key' });
      expect(record.decision.authn?.outcome).toBe('allow');
    }
  });

  it('of a streamed request has the time to first token, the usage read from the stream and the hash of the bytes sent', async () => {
    const { status, text, id } = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true }, auth());
    expect(status).toBe(200);
    const record = await recordOf(id);
    checkCommon(record, id);
    expect(record).toMatchObject({ stream: true, aborted: false, outcome: 'success', status: 200, response_bytes: Buffer.byteLength(text), tenant_id: 'acme' });
    expect(record.ttft_ms).toBeGreaterThan(0);
    expect(record.ttft_ms).toBeLessThanOrEqual(record.latency_ms);
    expect(record.output_tokens).toBeGreaterThan(0);
    expect(record.cost_usd).toBeGreaterThan(0);
    expect(record.output_sha256).toBe(hasher.hash(text));
  });

  it('of a stream the client abandoned is marked aborted, with the usage produced so far', async () => {
    const id = `abort-${Date.now()}`;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${gw.url}/v1/slow/stream`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', 'user-agent': 'records-test/1', 'x-request-id': id } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      req.end(JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true }));
    });
    const record = await recordOf(id);
    checkCommon(record, id);
    expect(record).toMatchObject({ aborted: true, outcome: 'aborted', stream: true, status: 200, endpoint: '/v1/slow/stream', reason: null });
    expect(record.output_tokens).toBeGreaterThan(0);
    expect(record.output_tokens).toBeLessThan(200);
    expect(record.response_bytes).toBeGreaterThan(0);
  });

  it('of a request whose upstream failed shows the 502 and no tokens', async () => {
    const { status, id } = await post('/v1/broken', { model: 'gpt-4o-mini', messages }, auth());
    expect(status).toBe(502);
    const record = await recordOf(id);
    checkCommon(record, id);
    expect(record).toMatchObject({ status: 502, outcome: 'upstream_error', reason: null, tenant_id: 'acme', model: 'gpt-4o-mini-2024-07-18', input_tokens: null, cost_usd: null, aborted: false });
    expect(record.output_sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
