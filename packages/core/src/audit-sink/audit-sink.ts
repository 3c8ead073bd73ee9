// Where inference records go: the small sink interface, and the in-memory sink.
import type { AuditRecord } from '../inference-log/inference-record.js';
import type { ChainHead } from './hash-chain.js';

/**
 * A destination for inference records. The inference log delivers to each sink in the background,
 * in batches, one batch at a time and in order; a sink never sees two `write` calls at once.
 */
export interface AuditSink {
  /** Unique among the log's sinks; used in metrics and errors. */
  readonly name: string;
  /**
   * Called once before the first write. Resolves the head of a chain this sink already holds (the
   * last record of a file), so a restarted process continues it; undefined starts a new chain.
   * A rejection counts as a failed write and is retried.
   */
  open?(): Promise<ChainHead | undefined>;
  /** Stores a batch. Rejects when it could not: the batch is then retried, never reordered. */
  write(records: readonly AuditRecord[]): Promise<void>;
  /** Releases files and connections after the last write. */
  close?(): Promise<void>;
}

/** The in-memory sink: keeps records in an array, for tests, the evidence command and small tools. */
export interface MemoryAuditSink extends AuditSink {
  /** Every record written so far, oldest first. */
  readonly records: readonly AuditRecord[];
  /** Resolves with the first record (already written or future) that matches. */
  waitFor(match: (record: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord>;
}

/**
 * An in-memory sink holding at most `maxRecords` records (the oldest go first).
 *
 * @example
 * const sink = memoryAuditSink();
 * const log = inferenceLog({ sinks: [sink] });
 * // … after a request:
 * const record = await sink.waitFor((r) => r.request_id === requestId);
 */
export function memoryAuditSink(options: { name?: string; maxRecords?: number } = {}): MemoryAuditSink {
  const records: AuditRecord[] = [];
  const maxRecords = options.maxRecords ?? 10_000;
  const waiters = new Set<{ match: (record: AuditRecord) => boolean; resolve: (record: AuditRecord) => void }>();
  return {
    name: options.name ?? 'memory',
    records,
    async write(batch) {
      for (const record of batch) {
        records.push(record);
        for (const waiter of waiters) {
          if (waiter.match(record)) {
            waiters.delete(waiter);
            waiter.resolve(record);
          }
        }
      }
      if (records.length > maxRecords) records.splice(0, records.length - maxRecords);
    },
    waitFor(match, timeoutMs = 5_000) {
      const found = records.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (record: AuditRecord) => {
            clearTimeout(timer);
            resolve(record);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`memoryAuditSink: no matching record within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
