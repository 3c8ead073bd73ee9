// A KeyStore kept in one YAML or JSON file: hot-reloaded on edits, written atomically, changes pushed to watchers.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { withFileLock } from '../watched-file/file-lock.js';
import { checkStoreFile } from '../watched-file/check-store-file.js';
import { watchFile, type FileWatch } from '../watched-file/watch-file.js';
import { writeFileAtomically } from '../watched-file/write-file-atomically.js';
import { keyFileFormat, parseKeyFile, serializeKeyFile } from './key-file-format.js';
import type { KeyRecord } from './key-record.js';
import { parseKeyRecord } from './key-record-schema.js';
import { applyKeyRecordPatch, latestUses, parseKeyRecordPatch, withLastUse } from './key-record-patch.js';
import type { KeyChange, KeyListFilter, WritableKeyStore } from './key-store.js';
import { KeyChangeEmitter } from './memory-key-store.js';

/** Options of {@link fileKeyStore}. */
export interface FileKeyStoreOptions {
  /** The key file; `.yaml`/`.yml` or `.json`. A missing file is an empty store, created on the first write. */
  readonly path: string;
  /** Reload when the file changes on disk. @default true */
  readonly watch?: boolean;
  /** Told about reloads that failed (the last good records stay in force). @default process.emitWarning */
  readonly onError?: (error: Error) => void;
  /** Quiet time after the last file event before reloading. @default 50 */
  readonly debounceMs?: number;
}

/** A file-backed store; `close()` stops watching so the process can exit. */
export interface FileKeyStore extends WritableKeyStore {
  /** Re-reads the file now; rejects with a ConfigError when it is invalid (the last good records stay). */
  reload(): Promise<void>;
  /** Stops the watcher and timers and waits for queued writes; later writes reject. */
  close(): Promise<void>;
}

function readTextSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read key file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A record without its last-use time, which changes often and matters to no cache. */
function withoutLastUse({ lastUsedAt: _lastUsedAt, ...record }: KeyRecord): Omit<KeyRecord, 'lastUsedAt'> {
  return record;
}

/** The events that turn `before` into `after`, ordered by key id; a new last-use time alone is no event. */
function diff(before: ReadonlyMap<string, KeyRecord>, after: ReadonlyMap<string, KeyRecord>): KeyChange[] {
  const changes: KeyChange[] = [];
  for (const [keyId, record] of after) {
    const old = before.get(keyId);
    if (old === undefined || !isDeepStrictEqual(withoutLastUse(old), withoutLastUse(record))) changes.push({ keyId, type: 'upsert' });
  }
  for (const keyId of before.keys()) if (!after.has(keyId)) changes.push({ keyId, type: 'delete' });
  return changes.sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
}

function toMap(records: readonly KeyRecord[]): Map<string, KeyRecord> {
  return new Map(records.map((r) => [r.id, r]));
}

/**
 * Serves key records from a YAML or JSON file (`keys: [...]`). The first load is synchronous and throws a
 * ConfigError naming the file (and, for YAML, the line) of any bad record. Edits by other writers are
 * picked up through a watch on the file's directory (editors replace files by rename), diffed, and
 * pushed to watchers as KeyChange events, so a key removed from the file stops working at once; an
 * invalid edit keeps the last good records and goes to `onError`. A removed file also keeps them (it is
 * often a moment inside an editor's save); empty the `keys` list instead. Writes are queued, re-read the
 * file first so they never overwrite an edit not yet seen, and replace it atomically with mode 0600,
 * in the file's own format. Comments in a YAML file are not kept by writes.
 *
 * @example
 * const store = fileKeyStore({ path: './keys.yaml', onError: (e) => logger.warn(e) });
 * const { key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme' });
 * await store.put(record);
 * // on shutdown
 * await store.close();
 */
export function fileKeyStore(options: FileKeyStoreOptions): FileKeyStore {
  const { file, format } = checkStoreFile(options, 'fileKeyStore', 'key file', keyFileFormat);
  const debounceMs = wholeNumber(options.debounceMs, 'fileKeyStore: debounceMs', 50, 0, 60_000);
  const report = options.onError ?? ((error: Error) => process.emitWarning(error));
  const changes = new KeyChangeEmitter();
  // The text last read or written; undefined while the file does not exist. Equal text on disk means nothing to do.
  let diskText = readTextSync(file);
  let records = toMap(diskText === undefined ? [] : parseKeyFile(diskText, format, file));
  let queue: Promise<unknown> = Promise.resolve();
  let watch: FileWatch | undefined;
  let closed = false;

  /** Runs reloads and writes one at a time, in call order. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  }

  function apply(next: Map<string, KeyRecord>, text: string): void {
    const events = diff(records, next);
    records = next;
    diskText = text;
    for (const change of events) changes.emit(change);
  }

  async function syncFromDisk(): Promise<void> {
    const text = await readText(file);
    if (text === diskText) return; // our own write, or an event that changed nothing
    if (text === undefined) throw new ConfigError(`Key file ${file} was removed; keeping the last ${records.size} records in force`);
    apply(toMap(parseKeyFile(text, format, file)), text);
  }

  /** Applies `mutate` to a copy, writes it when it reports a change, then tells watchers about `change` (if any). */
  function write(change: KeyChange | undefined, mutate: (next: Map<string, KeyRecord>) => boolean): Promise<boolean> {
    return enqueue(async () => {
      if (closed) throw new Error(`fileKeyStore(${file}) is closed`);
      // Locked against other processes writing the file (another instance, the CLI), so no write is lost.
      const written = await withFileLock(file, async () => {
        await syncFromDisk();
        const next = new Map(records);
        if (!mutate(next)) return false;
        const text = serializeKeyFile([...next.values()], format);
        // Mode 0600: the hashes are secrets, never readable by others.
        await writeFileAtomically(file, text, 0o600);
        records = next;
        diskText = text;
        return true;
      });
      if (written && change !== undefined) changes.emit(change);
      return written;
    });
  }

  if (options.watch ?? true) {
    const onChange = () => void enqueue(syncFromDisk).catch((error: unknown) => report(error instanceof Error ? error : new Error(String(error))));
    watch = watchFile(file, onChange, { debounceMs, onError: report });
  }

  return {
    async get(keyId) {
      const record = records.get(keyId);
      return record === undefined ? undefined : structuredClone(record);
    },
    async put(record) {
      // Validated so the file this writes always loads again at the next start.
      const checked = structuredClone(parseKeyRecord(record, `fileKeyStore(${file}).put()`));
      await write({ keyId: checked.id, type: 'upsert' }, (next) => Boolean(next.set(checked.id, checked)));
    },
    delete: (keyId) => write({ keyId, type: 'delete' }, (next) => next.delete(keyId)),
    async patch(keyId, patch) {
      const checked = parseKeyRecordPatch(patch, `fileKeyStore(${file}).patch()`);
      let after: KeyRecord | undefined;
      await write({ keyId, type: 'upsert' }, (next) => {
        const record = next.get(keyId);
        if (record === undefined) return false;
        next.set(keyId, (after = applyKeyRecordPatch(record, checked)));
        return true;
      });
      return after === undefined ? undefined : structuredClone(after);
    },
    async touch(uses) {
      // One write per batch, and only when a time moved forward; watchers hear nothing.
      await write(undefined, (next) => {
        let changed = false;
        for (const { keyId, at } of latestUses(uses)) {
          const record = next.get(keyId);
          const used = record === undefined ? undefined : withLastUse(record, at);
          if (used !== record && used !== undefined) {
            next.set(keyId, used);
            changed = true;
          }
        }
        return changed;
      });
    },
    async list(filter: KeyListFilter = {}) {
      return [...records.values()]
        .filter((r) => filter.tenantId === undefined || r.tenantId === filter.tenantId)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => structuredClone(r));
    },
    watch: (listener) => changes.subscribe(listener),
    reload: () => enqueue(syncFromDisk),
    async close() {
      closed = true;
      watch?.close();
      watch = undefined;
      await queue;
    },
  };
}
