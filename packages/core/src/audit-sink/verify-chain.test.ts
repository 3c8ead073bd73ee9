// Chain verification: an intact chain passes; an edited, deleted, reordered or duplicated record is found and named.
import { describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../inference-log/inference-record.js';
import { chainHasher, genesisHash, linkRecord, type ChainHead } from './hash-chain.js';
import { verifyAuditChain } from './verify-chain.js';

const key = 'k'.repeat(32);

function record(n: number): InferenceRecord {
  return { v: 1, request_id: `req_${n}`, tenant_id: 'acme', status: 200, input_tokens: n, cost_usd: n / 1000 } as unknown as InferenceRecord;
}

/** `count` chained records as JSON lines, as a sink writes them. */
function chainLines(count: number, chainKey?: string, head?: ChainHead): string[] {
  const hasher = chainHasher(chainKey);
  const lines: string[] = [];
  let current = head;
  for (let n = 1; n <= count; n++) {
    const linked = linkRecord(record(n), current, hasher, 0);
    current = linked.head;
    lines.push(JSON.stringify(linked.record));
  }
  return lines;
}

describe('verifyAuditChain', () => {
  it('accepts an intact chain and summarises it', () => {
    const lines = chainLines(5, key);
    const report = verifyAuditChain(lines, { key });
    expect(report.ok).toBe(true);
    expect(report.records).toBe(5);
    expect(report.chains).toEqual([expect.objectContaining({ firstSeq: 1, lastSeq: 5, records: 5, lastHash: JSON.parse(lines[4]!).hash })]);
    expect(JSON.parse(lines[0]!).prev_hash).toBe(genesisHash);
  });

  it('finds an edited record, even when the field order changed', () => {
    const lines = chainLines(5, key);
    const edited = JSON.parse(lines[2]!) as Record<string, unknown>;
    lines[2] = JSON.stringify({ ...edited, tenant_id: 'someone-else' });
    const report = verifyAuditChain(lines, { key });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ line: 3, seq: 3, kind: 'edited' })]);
    const reordered = Object.fromEntries(Object.entries(JSON.parse(chainLines(1, key)[0]!) as object).reverse());
    expect(verifyAuditChain([JSON.stringify(reordered)], { key }).ok).toBe(true);
  });

  it('finds an edit whose hash was recomputed without the key, by the broken link after it', () => {
    const lines = chainLines(4);
    const forged = { ...(JSON.parse(lines[1]!) as Record<string, unknown>), input_tokens: 0 };
    lines[1] = JSON.stringify({ ...forged, hash: chainHasher().hashOf(forged) });
    const report = verifyAuditChain(lines);
    expect(report.problems).toEqual([expect.objectContaining({ line: 3, seq: 3, kind: 'broken_link' })]);
  });

  it('finds a deleted record and names it', () => {
    const lines = chainLines(5, key);
    lines.splice(1, 1);
    const report = verifyAuditChain(lines, { key });
    expect(report.problems).toEqual([expect.objectContaining({ line: 2, seq: 2, kind: 'missing' })]);
    expect(report.problems[0]!.message).toMatch(/record 2 is missing/);
  });

  it('finds reordered records without also calling them missing', () => {
    const lines = chainLines(5, key);
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    const report = verifyAuditChain(lines, { key });
    expect(report.problems).toEqual([expect.objectContaining({ line: 3, seq: 2, kind: 'reordered' })]);
  });

  it('finds duplicated, unchained and malformed lines, and a chain that starts midway', () => {
    const lines = chainLines(3, key);
    const report = verifyAuditChain([...lines.slice(1), lines[2]!, '{"v":1}', 'not json'], { key });
    expect(report.problems.map((p) => p.kind)).toEqual(['missing', 'duplicate', 'unchained', 'malformed']);
    expect(verifyAuditChain(lines.slice(1), { key, allowPartial: true }).ok).toBe(true);
  });

  it('reports every record as edited under the wrong key, and checks interleaved chains apart', () => {
    const lines = chainLines(2, key);
    expect(verifyAuditChain(lines, { key: 'w'.repeat(32) }).problems.map((p) => p.kind)).toEqual(['edited', 'edited']);
    const other = chainLines(2, key);
    const report = verifyAuditChain([lines[0]!, other[0]!, lines[1]!, other[1]!], { key });
    expect(report.ok).toBe(true);
    expect(report.chains).toHaveLength(2);
  });

  it('continues a chain from a head, as a restarted sink does', () => {
    const first = chainLines(2, key);
    const last = JSON.parse(first[1]!) as { chain_id: string; seq: number; hash: string };
    const more = chainLines(2, key, { chainId: last.chain_id, seq: last.seq, hash: last.hash });
    expect(JSON.parse(more[0]!).seq).toBe(3);
    expect(verifyAuditChain([...first, ...more], { key }).ok).toBe(true);
  });

  it('refuses a short key', () => {
    expect(() => verifyAuditChain([], { key: 'short' })).toThrow(/at least 32 bytes/);
  });
});
