// A lock file beside a data file, so writers in different processes (an app's batches, the CLI) never overwrite each other.
import { open, stat, unlink } from 'node:fs/promises';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up waiting for another writer after this long. @default 10000 */
  readonly timeoutMs?: number;
  /** A lock file older than this is left over from a crashed writer and is removed. @default 30000 */
  readonly staleMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the lock file, waiting while another writer holds it; resolves once this process holds it. */
async function acquire(lock: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`).finally(() => handle.close());
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > staleMs) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lock} is held by another writer for more than ${timeoutMs} ms; if no writer is running, remove it`);
    await pause(5 + Math.random() * 20);
  }
}

/**
 * Runs `task` while holding `<file>.lock` (created exclusively, removed afterwards), so a read-modify-write
 * of `file` by one process never interleaves with another's. Readers need no lock: writes replace the
 * file atomically.
 *
 * @example
 * await withFileLock('/etc/tollgate/keys.yaml', async () => { const text = await readFile(path, 'utf8'); await writeFileAtomically(path, change(text), 0o600); });
 */
export async function withFileLock<T>(file: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  await acquire(lock, options.timeoutMs ?? 10_000, options.staleMs ?? 30_000);
  try {
    return await task();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
