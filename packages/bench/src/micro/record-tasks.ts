// Microbenchmarks of the inference record: serialising a real record to its JSON line, and its canonical form.
import { Writable } from 'node:stream';
import { apiKey, authenticate, canonicalJson, inferenceLog, memoryAuditSink, memoryKeyStore, pinoAuditSink, type AuditRecord } from '@tollgate/core';
import { benchApiKey } from '../app-process/chains/bench-identity.js';
import { startBenchRequest, type MicroGroup } from './micro-task.js';

/** The record inferenceLog writes for one allowed bench request, taken from a memory sink. */
async function realRecord(): Promise<AuditRecord> {
  const store = memoryKeyStore();
  const key = await benchApiKey(store);
  const sink = memoryAuditSink();
  const log = inferenceLog({ sinks: [sink] });
  const { pipeline, handle } = startBenchRequest([log, authenticate({ methods: [apiKey({ store })] })], { authorization: `Bearer ${key}` });
  const refusal = await pipeline.run(handle);
  if (refusal !== undefined) throw new Error(`the record microbenchmark's request was refused with ${refusal.status}`);
  handle.context.recordUsage({ inputTokens: 24, outputTokens: 9 });
  await pipeline.finish(handle, { status: 200, aborted: false });
  const record = await sink.waitFor(() => true);
  await log.close?.();
  return record;
}

/**
 * The pino sink turning one record into its JSON line (written to a stream that discards it), and
 * the canonical JSON the hash chain is computed over.
 *
 * @example
 * const group = await recordTasks();
 */
export async function recordTasks(): Promise<MicroGroup> {
  const record = await realRecord();
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const sink = pinoAuditSink({ destination: discard, name: 'discard' });
  return {
    tasks: [
      { name: 'Inference record: serialise to a JSON line (pino sink)', run: () => sink.write([record]) },
      { name: 'Inference record: canonical JSON (hash-chain input)', run: () => canonicalJson(record) },
    ],
    skipped: [],
  };
}
