// Hash chaining of audit records: each record carries the hash of the one before it in its sink.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { ConfigError } from '../errors/tollgate-error.js';
import { canonicalJson } from '../inference-log/canonical-json.js';
import type { AuditRecord, InferenceRecord } from '../inference-log/inference-record.js';

/** The last record of a chain: what the next record links to. */
export interface ChainHead {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
}

/** `prev_hash` of the first record of a chain. */
export const genesisHash = '0'.repeat(64);

/** Computes record hashes: HMAC-SHA-256 under a key, or plain SHA-256 without one. */
export interface ChainHasher {
  readonly keyed: boolean;
  /** The hash of a record: every field except `hash`, as canonical JSON. */
  hashOf(record: Readonly<Record<string, unknown>>): string;
}

/**
 * A hasher for chain links. With a key (at least 32 bytes), someone who can edit the log but does not
 * hold the key cannot recompute the chain after an edit; without one, edits are still detected unless
 * the whole tail of the chain is rewritten.
 *
 * @example
 * const hasher = chainHasher(process.env.TOLLGATE_CHAIN_KEY);
 */
export function chainHasher(key?: string | Uint8Array, name = 'inferenceLog.chain.key'): ChainHasher {
  if (key !== undefined && typeof key !== 'string' && !(key instanceof Uint8Array)) throw new ConfigError(`${name} must be a string or bytes`);
  const bytes = key === undefined ? undefined : typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes !== undefined && bytes.length < 32) throw new ConfigError(`${name} must be at least 32 bytes long; got ${bytes.length}`);
  return {
    keyed: bytes !== undefined,
    hashOf(record) {
      const { hash: _hash, ...rest } = record;
      const text = canonicalJson(rest);
      return bytes === undefined ? createHash('sha256').update(text).digest('hex') : createHmac('sha256', bytes).update(text).digest('hex');
    },
  };
}

/** A new random chain id. */
export function newChainId(): string {
  return `ch_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Links a record to the chain: adds `chain_id`, `seq`, `prev_hash`, `dropped_before` (when records
 * were dropped since the previous one) and `hash`. Returns the chained record and the new head.
 *
 * @example
 * const { record: chained, head: next } = linkRecord(record, head, hasher, 0);
 */
export function linkRecord(record: InferenceRecord, head: ChainHead | undefined, hasher: ChainHasher, droppedBefore: number): { record: AuditRecord; head: ChainHead } {
  const chainId = head?.chainId ?? newChainId();
  const seq = (head?.seq ?? 0) + 1;
  const unhashed: Record<string, unknown> = { ...record, chain_id: chainId, seq, prev_hash: head?.hash ?? genesisHash };
  if (droppedBefore > 0) unhashed['dropped_before'] = droppedBefore;
  const hash = hasher.hashOf(unhashed);
  return { record: { ...unhashed, hash } as AuditRecord, head: { chainId, seq, hash } };
}

/** Reads the chain fields of a parsed record, or undefined when it is not chained. */
export function chainFieldsOf(value: unknown): { chainId: string; seq: number; prevHash: string; hash: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { chain_id: chainId, seq, prev_hash: prevHash, hash } = value as Record<string, unknown>;
  if (typeof chainId !== 'string' || typeof prevHash !== 'string' || typeof hash !== 'string') return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { chainId, seq, prevHash, hash };
}
