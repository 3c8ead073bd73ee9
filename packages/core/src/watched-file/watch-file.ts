// Watches one file for edits, the way editors make them (write, rename over, delete and recreate), debounced.
import { watch as watchPath, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Options of {@link watchFile}. */
export interface WatchFileOptions {
  /** Quiet time after the last event before `onChange` runs. @default 50 */
  readonly debounceMs?: number;
  /** Told about watcher failures. */
  readonly onError: (error: Error) => void;
}

/** A running watch; `close()` stops it and cancels a pending call. */
export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` once things settle after the file changed. The directory is watched, not the file:
 * editors replace files by rename, which a watch on the file itself would lose. The timer is unref'd so
 * a forgotten watch never keeps a process alive.
 *
 * @example
 * const watch = watchFile('/etc/tollgate/tenants.yaml', () => void reload(), { onError: console.warn });
 * // on shutdown
 * watch.close();
 */
export function watchFile(file: string, onChange: () => void, options: WatchFileOptions): FileWatch {
  const name = basename(file);
  const debounceMs = options.debounceMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const watcher: FSWatcher = watchPath(dirname(file), (_event, changed) => {
    if (closed || (changed !== null && changed !== name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  });
  watcher.on('error', options.onError);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      watcher.close();
    },
  };
}
