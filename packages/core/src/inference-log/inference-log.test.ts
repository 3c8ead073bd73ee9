// The inferenceLog step in a real chain without HTTP: refused requests, strict mode, prompt hashing, app fields, options.
import { afterEach, describe, expect, it } from 'vitest';
import { apiKey } from '../api-key/api-key.js';
import { createApiKey } from '../api-key/create-api-key.js';
import { memoryAuditSink, type AuditSink } from '../audit-sink/audit-sink.js';
import { gate, type ClosableStep, type Gate } from '../gate.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import type { RequestInput } from '../request/tg-request.js';
import { canonicalJson } from './canonical-json.js';
import { contentHasher } from './content-hash.js';
import { inferenceLog } from './inference-log.js';
import type { InferenceLogOptions } from './inference-log-options.js';
import { recordFieldNames } from './inference-record.js';

const fast = { memoryCost: 1024, timeCost: 1 };
const hashKey = 'h'.repeat(32);
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], temperature: 0 };

function input(headers: Record<string, string>, json: unknown = body): RequestInput {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]!]),
    remoteAddress: '198.51.100.7',
    body: () => ({ kind: 'parsed', value: json }),
  };
}

/** A sink that fails every write while `down` is true. */
function flakySink(): AuditSink & { down: boolean; written: number } {
  const sink = {
    name: 'flaky', down: true, written: 0,
    async write(records: readonly unknown[]) {
      if (sink.down) throw new Error('database is down');
      sink.written += records.length;
    },
  };
  return sink;
}

// Stands in for resolveTenant and validateRequest: the tenant from the key record, the body read.
const tenantStep: ClosableStep = { name: 'resolveTenant', requires: [], run: (ctx) => void (ctx.tenant = { id: ctx.principal?.tenantId ?? 'none', status: 'active', tags: ctx.principal?.tenantId === 'bank' ? ['regulated'] : [] }) };
const bodyStep: ClosableStep = { name: 'validateRequest', requires: [], run: async (ctx) => void (await ctx.request.json()) };

let tg: Gate | undefined;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
afterEach(async () => tg?.close());

async function setup(options: InferenceLogOptions, steps: { tenant?: boolean; body?: boolean } = {}) {
  const store = memoryKeyStore();
  const acme = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: fast });
  const bank = await createApiKey({ subject: 'bob', tenantId: 'bank', hash: fast });
  await store.put(acme.record);
  await store.put(bank.record);
  const log = inferenceLog(options);
  tg = gate({
    inferenceLog: log,
    authenticate: { methods: [apiKey({ store })] },
    ...(steps.tenant ? { resolveTenant: tenantStep } : {}),
    ...(steps.body ? { validateRequest: bodyStep } : {}),
  });
  const call = async (headers: Record<string, string>, reply = '{"ok":true}') => {
    const handle = tg!.start(input(headers));
    const refused = await tg!.run(handle);
    const observer = refused === undefined ? tg!.observe(handle) : undefined;
    observer?.start?.(200, 'application/json');
    observer?.chunk(new TextEncoder().encode(reply));
    const outcome = { status: refused?.status ?? 200, aborted: false };
    observer?.end?.(outcome);
    await tg!.finish(handle, outcome);
    return { refused, requestId: handle.context.requestId };
  };
  return { log, call, acme: acme.key, bank: bank.key };
}

describe('inferenceLog', () => {
  it('records a refused request with its reason and no output', async () => {
    const sink = memoryAuditSink();
    const { call } = await setup({ sinks: [sink], hashKey });
    const { refused, requestId } = await call({ 'user-agent': 'test/1' });
    expect(refused?.status).toBe(401);
    const record = await sink.waitFor((r) => r.request_id === requestId);
    expect(record).toMatchObject({
      status: 401, outcome: 'denied', reason: 'TG_MISSING_CREDENTIAL', tenant_id: null, user_id: null, output_sha256: null, prompt_sha256: null,
      ip: '198.51.100.7', user_agent: 'test/1', endpoint: '/v1/chat/completions', method: 'POST', response_bytes: 0,
      decision: { authn: { outcome: 'deny', reason: 'TG_MISSING_CREDENTIAL' }, refusal: { step: 'authenticate', code: 'TG_MISSING_CREDENTIAL', status: 401 } },
    });
  });

  it('hashes the prompt a step read and the output, with the key, and keeps raw content only when asked', async () => {
    const hashed = memoryAuditSink();
    const { call, acme } = await setup({ sinks: [hashed], hashKey }, { body: true });
    const { requestId } = await call({ authorization: `Bearer ${acme}` });
    const record = await hashed.waitFor((r) => r.request_id === requestId);
    const hasher = contentHasher(hashKey);
    expect(record.prompt_sha256).toBe(hasher.hash(canonicalJson({ messages: body.messages })));
    expect(record.output_sha256).toBe(hasher.hash('{"ok":true}'));
    expect(record.hash_key_id).toBe(hasher.keyId);
    expect(record).not.toHaveProperty('prompt');
    await tg!.close();

    const raw = memoryAuditSink();
    const second = await setup({ sinks: [raw], hashKey, capture: { prompt: 'raw', output: 'raw', maxBytes: 8 } }, { body: true });
    const again = await second.call({ authorization: `Bearer ${second.acme}` }, 'a long reply');
    const rawRecord = await raw.waitFor((r) => r.request_id === again.requestId);
    expect(rawRecord.prompt).toBe('{"messag…');
    expect(rawRecord.output).toBe('a long r…');
    // Raw content sits where the record's field list puts it, right after the hash key id.
    const keys = Object.keys(rawRecord);
    expect(keys.slice(keys.indexOf('hash_key_id'), keys.indexOf('hash_key_id') + 4)).toEqual(['hash_key_id', 'prompt', 'output', 'ip']);
    expect(keys.filter((key) => recordFieldNames.has(key))).toEqual([...recordFieldNames].filter((key) => keys.includes(key)));
  });

  it('leaves the prompt hash empty when no step read the body (the log never reads it)', async () => {
    const sink = memoryAuditSink();
    const { call, acme } = await setup({ sinks: [sink], hashKey });
    const { requestId } = await call({ authorization: `Bearer ${acme}` });
    expect((await sink.waitFor((r) => r.request_id === requestId)).prompt_sha256).toBeNull();
  });

  it('strict mode refuses with 503 and Retry-After while the sink fails, and admits once it recovers', async () => {
    const sink = flakySink();
    const { call, acme, log } = await setup({ sinks: [sink], strict: true, delivery: { retryMinMs: 5, retryMaxMs: 5, closeTimeoutMs: 10 } });
    const auth = { authorization: `Bearer ${acme}` };
    // Admitted: the sink has not failed yet. Its failing delivery then marks the sink down.
    expect((await call(auth)).refused).toBeUndefined();
    await until(() => log.sinks()[0]!.healthy === false);
    const { refused } = await call(auth);
    expect(refused?.status).toBe(503);
    expect(refused?.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused!.body).error.code).toBe('audit_unavailable');
    sink.down = false;
    await until(() => log.sinks()[0]!.healthy);
    expect((await call(auth)).refused).toBeUndefined();
    expect(await log.flush(1_000)).toBe(true);
    expect(sink.written).toBe(3);
  });

  it('strict mode for some tenants only: the regulated tenant is refused while the sink fails, others are served', async () => {
    const sink = flakySink();
    const { call, acme, bank, log } = await setup({ sinks: [sink], strict: { tenantTags: ['regulated'] }, delivery: { retryMinMs: 5, retryMaxMs: 5, closeTimeoutMs: 10 } }, { tenant: true });
    await call({ authorization: `Bearer ${acme}` });
    await until(() => log.sinks()[0]!.healthy === false);
    expect((await call({ authorization: `Bearer ${acme}` })).refused).toBeUndefined();
    expect((await call({ authorization: `Bearer ${bank}` })).refused?.status).toBe(503);
    expect(tg!.steps.map((s) => s.name)).toEqual(['inferenceLog', 'authenticate', 'resolveTenant', 'inferenceLogAdmission']);
  });

  it('adds the app’s fields, made safe, but never over the record’s own', async () => {
    const sink = memoryAuditSink();
    const errors: unknown[] = [];
    const { call, acme } = await setup({ sinks: [sink], fields: () => ({ region: 'eu-west', tenant_id: 'forged', sessionToken: 'abc' }), onError: (e) => errors.push(e) });
    const { requestId } = await call({ authorization: `Bearer ${acme}` });
    const record = await sink.waitFor((r) => r.request_id === requestId);
    expect(record).toMatchObject({ region: 'eu-west', tenant_id: 'acme', session_token: '[redacted]' });
    expect(String(errors[0])).toMatch(/"tenant_id" is a field of the record/);
  });

  it('tells subscribers about every record, and gate() builds the log from plain options', async () => {
    const store = memoryKeyStore();
    tg = gate({ inferenceLog: { sinks: [] }, authenticate: { methods: [apiKey({ store })] } });
    const seen: string[] = [];
    const log = tg.steps[0] as ReturnType<typeof inferenceLog>;
    log.subscribe((r) => seen.push(r.reason ?? 'none'));
    const handle = tg.start(input({}));
    await tg.run(handle);
    await tg.finish(handle, { status: 401, aborted: false });
    expect(seen).toEqual(['TG_MISSING_CREDENTIAL']);
  });

  it.each([
    [{ sinks: [{ name: 'x' }] }, /each sink needs a name and a write/],
    [{ sinks: [memoryAuditSink(), memoryAuditSink()] }, /two sinks are named "memory"/],
    [{ hashKey: 'short' }, /hashKey must be at least 32 bytes/],
    [{ chain: { key: 'short' } }, /chain.key must be at least 32 bytes/],
    [{ capture: { prompt: 'all' } }, /capture.prompt must be "hash", "raw" or "none"/],
    [{ strict: { tenants: [] } }, /list at least one tenant/],
    [{ delivery: { maxQueue: 0 } }, /delivery.maxQueue must be a whole number from 1/],
    [{ telemetry: {} }, /telemetry must be a list/],
    [{ fields: 'region' }, /fields must be a function/],
  ])('refuses bad options at startup: %j', (options, message) => {
    expect(() => inferenceLog(options as unknown as InferenceLogOptions)).toThrow(message);
  });
});
