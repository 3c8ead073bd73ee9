// A TenantStore kept in one YAML or JSON file: hot-reloaded on edits, written atomically, changes pushed to watchers.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { withFileLock } from '../watched-file/file-lock.js';
import { checkStoreFile } from '../watched-file/check-store-file.js';
import { watchFile, type FileWatch } from '../watched-file/watch-file.js';
import { writeFileAtomically } from '../watched-file/write-file-atomically.js';
import { parseTenantFile, serializeTenantFile, tenantFileFormat } from './tenant-file-format.js';
import { parseTenantRecord } from './tenant-record-schema.js';
import { TenantChangeEmitter, byTenantId, type TenantChange, type WritableTenantStore } from './tenant-store.js';

/** Options of {@link fileTenantStore}. */
export interface FileTenantStoreOptions {
  /** The tenant file; `.yaml`/`.yml` or `.json`. A missing file is an empty store, created on the first write. */
  readonly path: string;
  /** Reload when the file changes on disk. @default true */
  readonly watch?: boolean;
  /** Told about reloads that failed (the last good tenants stay in force). @default process.emitWarning */
  readonly onError?: (error: Error) => void;
  /** Quiet time after the last file event before reloading. @default 50 */
  readonly debounceMs?: number;
}

/** A file-backed store; `close()` stops watching so the process can exit. */
export interface FileTenantStore extends WritableTenantStore {
  /** Re-reads the file now; rejects with a ConfigError when it is invalid (the last good tenants stay). */
  reload(): Promise<void>;
  /** Stops the watcher and waits for queued writes; later writes reject. */
  close(): Promise<void>;
}

function readTextSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read tenant file ${file}: ${(error as Error).message}`, { cause: error });
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

/** The events that turn `before` into `after`, ordered by tenant id. */
function diff(before: ReadonlyMap<string, Tenant>, after: ReadonlyMap<string, Tenant>): TenantChange[] {
  const changes: TenantChange[] = [];
  for (const [tenantId, tenant] of after) {
    const old = before.get(tenantId);
    if (old === undefined || !isDeepStrictEqual(old, tenant)) changes.push({ tenantId, type: 'upsert' });
  }
  for (const tenantId of before.keys()) if (!after.has(tenantId)) changes.push({ tenantId, type: 'delete' });
  return changes.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
}

const toMap = (tenants: readonly Tenant[]): Map<string, Tenant> => new Map(tenants.map((t) => [t.id, t]));

/**
 * Serves tenants from a YAML or JSON file (`tenants: [...]`). The first load is synchronous and throws a
 * ConfigError naming the file and line of any bad tenant. Edits by other writers are picked up, diffed
 * and pushed to watchers, so suspending a tenant in the file takes effect at once, without a redeploy;
 * an invalid edit keeps the last good tenants and goes to `onError`, and so does a removed file (often a
 * moment inside an editor's save; empty the `tenants` list instead). Writes are queued, re-read the file
 * first so they never overwrite an edit not yet seen, and replace it atomically in its own format.
 *
 * @example
 * const tenants = fileTenantStore({ path: './tenants.yaml', onError: (e) => logger.warn(e) });
 * await tenants.put({ id: 'acme', status: 'active', tier: 'pro', tags: [] });
 * // on shutdown
 * await tenants.close();
 */
export function fileTenantStore(options: FileTenantStoreOptions): FileTenantStore {
  const { file, format } = checkStoreFile(options, 'fileTenantStore', 'tenant file', tenantFileFormat);
  const debounceMs = wholeNumber(options.debounceMs, 'fileTenantStore: debounceMs', 50, 0, 60_000);
  const report = options.onError ?? ((error: Error) => process.emitWarning(error));
  const changes = new TenantChangeEmitter();
  // The text last read or written; undefined while the file does not exist. Equal text on disk means nothing to do.
  let diskText = readTextSync(file);
  let tenants = toMap(diskText === undefined ? [] : parseTenantFile(diskText, format, file));
  let queue: Promise<unknown> = Promise.resolve();
  let watch: FileWatch | undefined;
  let closed = false;

  /** Runs reloads and writes one at a time, in call order. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function syncFromDisk(): Promise<void> {
    const text = await readText(file);
    if (text === diskText) return; // our own write, or an event that changed nothing
    if (text === undefined) throw new ConfigError(`Tenant file ${file} was removed; keeping the last ${tenants.size} tenants in force`);
    const next = toMap(parseTenantFile(text, format, file));
    const events = diff(tenants, next);
    tenants = next;
    diskText = text;
    for (const change of events) changes.emit(change);
  }

  function write(change: TenantChange, mutate: (next: Map<string, Tenant>) => boolean): Promise<boolean> {
    return enqueue(async () => {
      if (closed) throw new Error(`fileTenantStore(${file}) is closed`);
      // Locked against other processes writing the file (another instance, the CLI), so no write is lost.
      const written = await withFileLock(file, async () => {
        await syncFromDisk();
        const next = new Map(tenants);
        if (!mutate(next)) return false;
        const text = serializeTenantFile([...next.values()].sort(byTenantId), format);
        await writeFileAtomically(file, text, 0o600);
        tenants = next;
        diskText = text;
        return true;
      });
      if (written) changes.emit(change);
      return written;
    });
  }

  if (options.watch ?? true) {
    const reloadInBackground = (): void => {
      enqueue(syncFromDisk).catch((error: unknown) => report(error instanceof Error ? error : new Error(String(error))));
    };
    watch = watchFile(file, reloadInBackground, { debounceMs, onError: report });
  }

  return {
    async get(tenantId) {
      const tenant = tenants.get(tenantId);
      return tenant === undefined ? undefined : structuredClone(tenant);
    },
    async put(tenant) {
      // Validated so the file this writes always loads again at the next start.
      const checked = structuredClone(parseTenantRecord(tenant, `fileTenantStore(${file}).put()`));
      await write({ tenantId: checked.id, type: 'upsert' }, (next) => Boolean(next.set(checked.id, checked)));
    },
    delete: (tenantId) => write({ tenantId, type: 'delete' }, (next) => next.delete(tenantId)),
    async list() {
      return [...tenants.values()].sort(byTenantId).map((t) => structuredClone(t));
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
