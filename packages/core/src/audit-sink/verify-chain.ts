// Checks hash-chained audit records: every edited, missing, reordered or duplicated record is reported.
import { chainFieldsOf, chainHasher, genesisHash, type ChainHasher } from './hash-chain.js';

/** What is wrong at one place of an audit log. */
export interface ChainProblem {
  /** 1-based line (record) number where the problem shows. */
  readonly line: number;
  readonly chainId: string | null;
  readonly seq: number | null;
  readonly kind: 'malformed' | 'unchained' | 'edited' | 'broken_link' | 'missing' | 'reordered' | 'duplicate';
  readonly message: string;
}

/** One chain found in the log. */
export interface ChainSummary {
  readonly chainId: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly records: number;
  /** Hash of the chain's last record: compare it with an externally kept copy to detect a cut tail. */
  readonly lastHash: string;
}

/** The result of {@link verifyAuditChain}. */
export interface ChainReport {
  readonly ok: boolean;
  readonly records: number;
  readonly chains: readonly ChainSummary[];
  /** In line order; the first is the first broken or missing link. */
  readonly problems: readonly ChainProblem[];
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyChainOptions {
  /** The chain key the log was written with; required for logs chained with a key. */
  readonly key?: string | Uint8Array;
  /** Accept chains whose first record is not seq 1 (a rotated file's later part). @default false */
  readonly allowPartial?: boolean;
}

interface ChainState {
  firstSeq: number;
  head: { seq: number; hash: string };
  records: number;
  seen: Set<number>;
}

interface Gap {
  readonly problem: { line: number; chainId: string; from: number; to: number };
  readonly pending: Set<number>;
}

/**
 * Verifies the records of an audit log, one JSON record per line, in the order they were written.
 * Records of several chains (several processes) may be interleaved; each chain is checked on its own.
 *
 * @example
 * const report = verifyAuditChain(readFileSync('audit.log', 'utf8').split('\n'), { key: process.env.TOLLGATE_CHAIN_KEY });
 * if (!report.ok) console.error(report.problems[0].message);
 */
export function verifyAuditChain(lines: Iterable<string>, options: VerifyChainOptions = {}): ChainReport {
  const hasher: ChainHasher = chainHasher(options.key, 'key');
  const chains = new Map<string, ChainState>();
  const problems: ChainProblem[] = [];
  const gaps: Gap[] = [];
  let line = 0;
  let records = 0;
  const problem = (kind: ChainProblem['kind'], chainId: string | null, seq: number | null, message: string) =>
    problems.push({ line, chainId, seq, kind, message: `line ${line}: ${message}` });

  for (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    records += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problem('malformed', null, null, 'not a JSON record');
      continue;
    }
    const fields = chainFieldsOf(parsed);
    if (fields === undefined) {
      problem('unchained', null, null, 'the record carries no chain fields (chain_id, seq, prev_hash, hash)');
      continue;
    }
    const { chainId, seq, prevHash, hash } = fields;
    if (hasher.hashOf(parsed as Record<string, unknown>) !== hash) {
      problem('edited', chainId, seq, `record ${seq} of chain ${chainId} does not match its hash: it was altered${hasher.keyed ? ' (or the key is wrong)' : ''}`);
    }
    const state = chains.get(chainId);
    if (state === undefined) {
      chains.set(chainId, { firstSeq: seq, head: { seq, hash }, records: 1, seen: new Set([seq]) });
      if (seq === 1 && prevHash !== genesisHash) problem('broken_link', chainId, seq, `record 1 of chain ${chainId} does not start the chain (prev_hash is not the genesis value)`);
      if (seq > 1 && options.allowPartial !== true) problem('missing', chainId, seq, `chain ${chainId} starts at record ${seq}: records 1 to ${seq - 1} are missing`);
      continue;
    }
    state.records += 1;
    if (state.seen.has(seq)) {
      problem('duplicate', chainId, seq, `record ${seq} of chain ${chainId} appears more than once`);
      continue;
    }
    state.seen.add(seq);
    if (seq <= state.head.seq) {
      const gap = gaps.find((g) => g.problem.chainId === chainId && g.pending.has(seq));
      gap?.pending.delete(seq);
      problem('reordered', chainId, seq, `record ${seq} of chain ${chainId} comes after record ${state.head.seq}: the records were reordered`);
      continue;
    }
    if (seq > state.head.seq + 1) {
      const from = state.head.seq + 1;
      const pending = new Set<number>();
      for (let s = from; s < seq && pending.size < 100_000; s++) pending.add(s);
      gaps.push({ problem: { line, chainId, from, to: seq - 1 }, pending });
    } else if (prevHash !== state.head.hash) {
      problem('broken_link', chainId, seq, `record ${seq} of chain ${chainId} does not link to record ${state.head.seq}: the record before it was replaced`);
    }
    state.head = { seq, hash };
  }

  for (const { problem: gap, pending } of gaps) {
    if (pending.size === 0) continue;
    const list = [...pending].sort((a, b) => a - b);
    const which = list.length === 1 ? `record ${list[0]} is` : `records ${list[0]} to ${list[list.length - 1]} (${list.length}) are`;
    problems.push({ line: gap.line, chainId: gap.chainId, seq: list[0] ?? gap.from, kind: 'missing', message: `line ${gap.line}: ${which} missing from chain ${gap.chainId} before this line` });
  }
  problems.sort((a, b) => a.line - b.line);
  const summaries = [...chains].map(([chainId, s]) => ({ chainId, firstSeq: s.firstSeq, lastSeq: s.head.seq, records: s.records, lastHash: s.head.hash }));
  return { ok: problems.length === 0, records, chains: summaries, problems };
}
