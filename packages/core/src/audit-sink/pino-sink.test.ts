// The pino sink on real files and streams: exact JSON lines (the bytes pino wrote), private file mode, chains continued across restarts.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKey } from '../api-key/api-key.js';
import { createApiKey } from '../api-key/create-api-key.js';
import { gate } from '../gate.js';
import { inferenceLog } from '../inference-log/inference-log.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import { memoryAuditSink } from './audit-sink.js';
import type { AuditRecord, InferenceRecord } from '../inference-log/inference-record.js';
import { DeliveryQueue } from './delivery-queue.js';
import { chainHasher } from './hash-chain.js';
import { pinoAuditSink, recordLine } from './pino-sink.js';
import { verifyAuditChain } from './verify-chain.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-pino-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = 'chain-key-'.padEnd(40, 'x');
const record = (n: number) => ({ v: 1, request_id: `req_${n}`, tenant_id: 'acme', user_agent: 'a\u2028b', cost_usd: 0.1 + 0.2 }) as unknown as InferenceRecord;

/** Runs records through a real queue into a fresh sink on `path`, then closes it (as a process would at exit). */
async function writeRun(path: string, from: number, count: number): Promise<void> {
  const errors: unknown[] = [];
  const queue = new DeliveryQueue({
    sink: pinoAuditSink({ destination: { path } }), maxQueue: 100, batchSize: 3, chain: chainHasher(key), retry: { minMs: 1, maxMs: 5 },
    writeTimeoutMs: 2_000, onDropped: () => undefined, onError: (e) => errors.push(e),
  });
  for (let n = from; n < from + count; n++) queue.enqueue(record(n), false);
  await queue.close(2_000);
  expect(errors).toEqual([]);
}

describe('pinoAuditSink', () => {
  it('writes exactly the record, one JSON line each, to a file created with mode 0600 in a new folder', async () => {
    const path = join(dir, 'nested', 'audit.log');
    await writeRun(path, 1, 4);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['v', 'request_id', 'tenant_id', 'user_agent', 'cost_usd', 'chain_id', 'seq', 'prev_hash', 'hash']);
    expect(first['cost_usd']).toBe(0.1 + 0.2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('continues the file’s chain after a restart, so the whole file verifies as one chain', async () => {
    const path = join(dir, 'restart.log');
    await writeRun(path, 1, 3);
    await writeRun(path, 4, 3);
    const lines = readFileSync(path, 'utf8').split('\n');
    const report = verifyAuditChain(lines, { key });
    expect(report.ok).toBe(true);
    expect(report.chains).toEqual([expect.objectContaining({ firstSeq: 1, lastSeq: 6 })]);
  });

  it('after a crash mid-line, starts on a new line and the verifier names the broken line', async () => {
    const path = join(dir, 'crash.log');
    await writeRun(path, 1, 2);
    appendFileSync(path, '{"v":1,"request_id":"req_partial","ten');
    await writeRun(path, 3, 2);
    const report = verifyAuditChain(readFileSync(path, 'utf8').split('\n'), { key });
    expect(report.problems).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
    expect(report.chains).toEqual([expect.objectContaining({ lastSeq: 4 })]);
  });

  it('fails to open where no file can be written, so the queue reports and retries', async () => {
    const blocked = join(dir, 'is-a-dir');
    mkdirSync(blocked);
    const sink = pinoAuditSink({ destination: { path: blocked } });
    await expect(sink.open!()).rejects.toThrow(/EISDIR|illegal operation/);
    expect(sink.name).toBe('file:is-a-dir');
  });

  it('writes to a stream destination, and refuses destinations it cannot use', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const sink = pinoAuditSink({ destination: stream, name: 'capture' });
    await sink.write([record(1), record(2)]);
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { request_id: string }).request_id)).toEqual(['req_1', 'req_2']);
    expect(() => pinoAuditSink({ destination: 42 as unknown as 'stdout' })).toThrow(/destination must be/);
    expect(() => pinoAuditSink({ destination: { path: ' ' } })).toThrow(/must not be empty/);
  });
});

/** The line pino wrote for a record until the sink serialised records itself: its exact configuration then. */
function pinoLine(): (record: unknown) => string {
  let line = '';
  const logger = pino(
    { base: null, timestamp: false, formatters: { level: () => ({}) }, hooks: { streamWrite: (text: string) => (text.startsWith('{,') ? `{${text.slice(2)}` : text) } },
    { write: (text: string) => void (line = text) },
  );
  return (record) => {
    line = '';
    logger.info(record as object);
    return line;
  };
}

/** Records core builds for allowed and refused requests, with raw capture and app fields full of awkward text. */
async function coreRecords(): Promise<AuditRecord[]> {
  const store = memoryKeyStore();
  const alice = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
  await store.put(alice.record);
  const awkward = 'quote " backslash \\ tab \t newline \n nul \u0000 del \u007f c1 \u0085 ls \u2028 ps \u2029 é 中文 🙂 <script>';
  const sink = memoryAuditSink();
  const log = inferenceLog({
    sinks: [sink],
    hashKey: 'h'.repeat(32),
    capture: { prompt: 'raw', output: 'raw' },
    fields: () => ({ region: awkward, retries: 3, ratio: 0.1 + 0.2, negativeZero: -0, huge: 1e300, flags: [true, false, null], nested: { deep: { list: [1, 'two', { three: awkward.slice(0, 20) }] } } }),
  });
  const tg = gate({ inferenceLog: log, authenticate: { methods: [apiKey({ store })] } });
  const call = async (authorization: string) => {
    const handle = tg.start({
      method: 'POST',
      path: '/v1/chat/completions',
      headerValues: (name) => (name === 'authorization' ? [authorization] : name === 'user-agent' ? [awkward] : []),
      remoteAddress: '198.51.100.7',
      body: () => ({ kind: 'parsed', value: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: awkward }] } }),
    });
    const refused = await tg.run(handle);
    const observer = refused === undefined ? tg.observe(handle) : undefined;
    observer?.start?.(200, 'application/json');
    observer?.chunk(new TextEncoder().encode(JSON.stringify({ choices: [{ message: { content: awkward } }] })));
    observer?.end?.({ status: refused?.status ?? 200, aborted: false });
    await tg.finish(handle, { status: refused?.status ?? 200, aborted: false });
  };
  await call(`Bearer ${alice.key}`);
  await call('Bearer tg_live_not-a-real-key');
  await call(`Bearer ${alice.key}`);
  await sink.waitFor(() => sink.records.length >= 3);
  await tg.close();
  return [...sink.records];
}

describe('recordLine', () => {
  const viaPino = pinoLine();

  it('writes the bytes pino wrote for the records core builds', async () => {
    const records = await coreRecords();
    expect(records).toHaveLength(3);
    // The awkward text reached every line (the user agent, the app's fields) and the captured output of the allowed ones.
    expect(records.every((record) => recordLine(record).includes('quote \\" backslash \\\\ tab'))).toBe(true);
    expect(records.filter((record) => recordLine(record).includes('nul \\\\u0000 del')).length).toBe(2);
    for (const record of records) expect(recordLine(record)).toBe(viaPino(record));
  });

  it('writes the bytes pino wrote for any plain JSON object of well-formed text', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 60 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), text, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(fc.property(fc.dictionary(text, fc.oneof(json, fc.constant(undefined)), { maxKeys: 8 }), (record) => {
      expect(recordLine(record as unknown as AuditRecord)).toBe(viaPino(record));
    }), { numRuns: 500 });
  });

  it('escapes a lone surrogate, which pino wrote raw, so the line stays valid UTF-8 and reads back', () => {
    const record = { v: 1, user_agent: 'a\ud800b' } as unknown as AuditRecord;
    expect(recordLine(record)).toBe('{"v":1,"user_agent":"a\\ud800b"}\n');
    expect(JSON.parse(recordLine(record))).toEqual(record);
  });

  it('writes a record JSON.stringify refuses: bigints as text, a cycle cut, toJSON applied', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const selfish = { n: 2n, toJSON() { return this; } };
    const record = { v: 1, count: 12345678901234567890n, at: new Date(0), list: [1n, cyclic], shared: { a: 1 }, selfish } as unknown as AuditRecord;
    expect(JSON.parse(recordLine(record))).toEqual({ v: 1, count: '12345678901234567890', at: '1970-01-01T00:00:00.000Z', list: ['1', { name: 'loop', self: '[Circular]' }], shared: { a: 1 }, selfish: { n: '2' } });
  });
});
