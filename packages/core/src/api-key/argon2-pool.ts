// argon2 verifications on worker threads at the lowest CPU priority, so that under load they get what serving leaves.
import { Worker } from 'node:worker_threads';
import { argon2Entry, verifySecret } from './secret-hash.js';

/**
 * How each worker starts. It finds @node-rs/argon2 at the path it is given (it may not resolve from
 * the app's directory), and uses only dynamic import: the worker inherits the process's flags, and
 * under `--input-type=module` its code is an ES module, without require.
 */
const workerSource = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { createRequire } = await import('node:module');
  const { verifySync } = createRequire(workerData.argon2)(workerData.argon2);
  if (workerData.lowerPriority) (await import('node:os')).setPriority(19);
  parentPort.on('message', (task) => {
    let answer;
    try {
      answer = { matches: verifySync(task.phc, task.secret) };
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    parentPort.postMessage(answer);
  });
})();
`;

type Answer = { readonly matches: boolean } | { readonly error: string };

interface Task {
  readonly phc: string;
  readonly secret: string;
  readonly resolve: (matches: boolean) => void;
  readonly reject: (error: Error) => void;
}

/**
 * True where a thread can lower its own priority alone: on Linux the nice value belongs to the
 * thread (setpriority with pid 0 names the calling thread). On macOS and Windows the same call
 * reprioritises the whole process, which would slow the event loop instead.
 */
export function perThreadPriority(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux';
}

/** What a worker tells its pool. */
interface PoolWorkerEvents {
  /** The worker left: ended idle, closed, or died. */
  gone(worker: PoolWorker): void;
  /** It died before answering anything (it could not start): the pool decides what becomes of the task. */
  failedToStart(error: Error, task: Task | undefined): void;
}

class PoolWorker {
  readonly #worker: Worker;
  #task: Task | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #answered = false;
  #ending = false;

  constructor(argon2: string, lowerPriority: boolean, idleMs: number, events: PoolWorkerEvents) {
    // No inherited flags: the app's preloads (APM agents, loaders) have nothing to do in a worker that only hashes.
    this.#worker = new Worker(workerSource, { eval: true, execArgv: [], workerData: { argon2, lowerPriority } });
    this.#worker.on('message', (answer: Answer) => {
      const task = this.#task;
      this.#task = undefined;
      this.#answered = true;
      this.#worker.unref();
      // Leaves the pool first, so no task is given to a worker on its way out.
      this.#idle = setTimeout(() => {
        events.gone(this);
        void this.terminate();
      }, idleMs).unref();
      if (task === undefined) return;
      if ('error' in answer) task.reject(new Error(`argon2 verification failed: ${answer.error}`));
      else task.resolve(answer.matches);
    });
    const gone = (error: Error): void => {
      const task = this.#task;
      this.#task = undefined;
      events.gone(this);
      if (!this.#answered && !this.#ending) events.failedToStart(error, task);
      else task?.reject(error);
    };
    this.#worker.on('error', (error) => gone(new Error('argon2 worker failed', { cause: error })));
    this.#worker.on('exit', (code) => gone(new Error(`argon2 worker exited (code ${code})`)));
    // An idle worker must not keep the process alive (close() ends it), a busy one must; after the listeners, which ref it.
    this.#worker.unref();
  }

  get busy(): boolean {
    return this.#task !== undefined;
  }

  run(task: Task): void {
    clearTimeout(this.#idle);
    this.#task = task;
    this.#worker.ref();
    this.#worker.postMessage({ phc: task.phc, secret: task.secret });
  }

  async terminate(): Promise<void> {
    this.#ending = true;
    clearTimeout(this.#idle);
    await this.#worker.terminate();
  }
}

/** Options of {@link Argon2Pool}. */
export interface Argon2PoolOptions {
  /** Most workers (verifications at once); callers keep within it (the API key method's limiter does). */
  readonly size: number;
  /** Lower each worker thread to nice 19 where that touches the thread alone (Linux). @default true */
  readonly lowerPriority?: boolean;
  /** A worker with no verification for this long ends (each holds about 9 MB). @default 30000 */
  readonly idleMs?: number;
  /** The @node-rs/argon2 entry the workers load. @default core's own dependency */
  readonly argon2Module?: string;
}

/**
 * Worker threads that check secrets against argon2id PHC strings. Workers start when first needed
 * (at most `size`), run at the lowest CPU priority on Linux, and end after `idleMs` without work
 * or with {@link Argon2Pool.close}.
 * A verification that fails (an unreadable hash, a worker that died) rejects; the next one gets a
 * fresh worker. Where workers cannot run at all (a Worker the runtime refuses to create, a worker
 * that dies before its first answer, e.g. unable to load argon2), verifications go to libuv's pool
 * at normal priority instead, with one process warning (`TOLLGATE_ARGON2_WORKERS`). (Node 20's
 * permission model refuses workers and native addons alike, so argon2 cannot run there either way.)
 *
 * @example
 * const pool = new Argon2Pool({ size: 1 });
 * const ok = await pool.verify(record.hash, secret);
 * await pool.close();
 */
export class Argon2Pool {
  readonly #size: number;
  readonly #lowerPriority: boolean;
  readonly #idleMs: number;
  readonly #workers: PoolWorker[] = [];
  #argon2: string | undefined;
  #closed = false;
  #inLibuv = false;

  constructor(options: Argon2PoolOptions) {
    this.#size = options.size;
    this.#lowerPriority = (options.lowerPriority ?? true) && perThreadPriority();
    this.#idleMs = options.idleMs ?? 30_000;
    this.#argon2 = options.argon2Module;
  }

  /** Whether the workers run below normal priority (asked for, and possible on this platform). */
  get lowersPriority(): boolean {
    return this.#lowerPriority;
  }

  /** Workers started and not ended. */
  get workers(): number {
    return this.#workers.length;
  }

  /** True once workers proved unusable here and verifications run in libuv's pool. */
  get inLibuv(): boolean {
    return this.#inLibuv;
  }

  verify(phc: string, secret: string): Promise<boolean> {
    if (this.#closed) return Promise.reject(new Error('argon2 pool is closed'));
    if (this.#inLibuv) return verifySecret(phc, secret);
    return new Promise<boolean>((resolve, reject) => {
      let worker: PoolWorker | undefined;
      try {
        worker = this.#workers.find((candidate) => !candidate.busy) ?? this.#start();
      } catch (error) {
        this.#useLibuv(error);
        verifySecret(phc, secret).then(resolve, reject);
        return;
      }
      if (worker === undefined) {
        reject(new Error(`argon2 pool: all ${this.#size} workers are busy`));
        return;
      }
      worker.run({ phc, secret, resolve, reject });
    });
  }

  #start(): PoolWorker | undefined {
    if (this.#workers.length >= this.#size) return undefined;
    this.#argon2 ??= argon2Entry();
    const worker = new PoolWorker(this.#argon2, this.#lowerPriority, this.#idleMs, {
      gone: (gone) => {
        const index = this.#workers.indexOf(gone);
        if (index !== -1) this.#workers.splice(index, 1);
      },
      failedToStart: (error, task) => {
        this.#useLibuv(error);
        if (task === undefined) return;
        if (this.#closed) task.reject(new Error('argon2 pool is closed'));
        else verifySecret(task.phc, task.secret).then(task.resolve, task.reject);
      },
    });
    this.#workers.push(worker);
    return worker;
  }

  #useLibuv(cause: unknown): void {
    if (this.#inLibuv) return;
    this.#inLibuv = true;
    const error = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
    // The first line: a module-not-found message goes on with its require stack.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    process.emitWarning(`argon2 worker threads are unavailable (${reason}); API keys are verified in libuv's thread pool at normal priority`, { code: 'TOLLGATE_ARGON2_WORKERS' });
  }

  /** Ends every worker; verifications still running reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
