// The pino sink on real files and streams: exact JSON lines, private file mode, chains continued across restarts.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import { DeliveryQueue } from './delivery-queue.js';
import { chainHasher } from './hash-chain.js';
import { pinoAuditSink } from './pino-sink.js';
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
