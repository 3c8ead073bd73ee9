// Connects a pipeline's response side to a Node ServerResponse: disconnects, body observers, finish once.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ContextHandle } from '../context/tg-context.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { judgeHeldResponse, type HeldJudge } from '../pipeline/response-hold.js';
import type { ResponseObserver, ResponseOutcome } from '../pipeline/step.js';
import { holdNodeResponse, type HeldNodeResponse, type NodeWriters } from './held-node-response.js';

// Per-response state lives on the response under a symbol, not in a WeakMap: a WeakMap entry keyed by a
// short-lived object makes every young collection slower and drags the request into the old generation.
// One object under one symbol, set once: each new property on a ServerResponse (forty-odd fields
// already) can copy its whole property store, and listeners that mark it would add two more.
const watched = Symbol('tollgate.watched');

interface Watch {
  /** 'finish' seen: the whole response was handed over. Test doubles (Fastify's inject) emit it without a socket to flush to. */
  finished: boolean;
  /** Whether the response had not completed when it closed, as the first close listener saw it; undefined before close. */
  aborted: boolean | undefined;
}

type Watched = ServerResponse & { [watched]?: Watch };

const completed = (res: ServerResponse): boolean => res.writableFinished || (res as Watched)[watched]?.finished === true;

/**
 * Aborts the context's signal when the client goes away before the response finished, so handlers
 * (and their upstream calls) stop. Call it when the request starts, before any handler can listen
 * for `close`; later calls for the same response are ignored.
 *
 * @example
 * const handle = pipeline.start(nodeRequestInput(req, parts));
 * abortOnDisconnect(res, handle);
 */
export function abortOnDisconnect(res: ServerResponse, handle: ContextHandle): void {
  const marked = res as Watched;
  if (marked[watched] !== undefined) return;
  const watch: Watch = { finished: false, aborted: undefined };
  marked[watched] = watch;
  res.once('finish', () => (watch.finished = true));
  res.once('close', () => {
    // Decided once, by the first close listener, so a handler that ends the response on close cannot hide the abort.
    const aborted = !completed(res);
    watch.aborted = aborted;
    if (aborted) handle.abort('client disconnected');
  });
}

/** How a Node response ended, as {@link abortOnDisconnect} first saw it. */
export function nodeResponseOutcome(res: ServerResponse): ResponseOutcome {
  return { status: res.statusCode, aborted: (res as Watched)[watched]?.aborted ?? !completed(res) };
}

/**
 * Call once `pipeline.run` has answered. When the chain let the request through (`passed`), the
 * steps' observers see every body byte the handler writes (and may hold a whole answer back until
 * they judged it); when the response has ended (refusals included), `observer.end` and then
 * `pipeline.finish` run, once.
 *
 * @example
 * const refusal = await pipeline.run(handle);
 * finishOnClose(res, handle, pipeline, refusal === undefined);
 */
export function finishOnClose(res: ServerResponse, handle: ContextHandle, pipeline: Pipeline, passed: boolean): void {
  const observer = passed ? pipeline.observe(handle) : undefined;
  if (observer !== undefined) tapNodeResponse(res, observer, (hold, overLimit) => judgeHeldResponse(pipeline, handle, hold, overLimit));
  const ended = (): void => {
    const outcome = nodeResponseOutcome(res);
    // Observers read the whole body before the steps settle on it.
    observer?.end?.(outcome);
    void pipeline.finish(handle, outcome);
  };
  if (res.closed || res.destroyed) ended();
  else res.once('close', ended);
}

function contentTypeOf(headers: unknown): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (Array.isArray(headers)) {
    // writeHead also takes a flat [name, value, name, value] list.
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'content-type') return String(headers[i + 1]);
    }
    return undefined;
  }
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
    if (name.toLowerCase() === 'content-type' && value !== undefined) return String(value);
  }
  return undefined;
}

/** One response's tap: the state the wrapped writeHead, write and end share. */
class NodeTap {
  /** Undecided until the first writeHead, write or end, where the status and type are known: a hold is decided there, before anything is sent. */
  #state: 'passing' | HeldNodeResponse | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly observer: ResponseObserver,
    private readonly judge: HeldJudge | undefined,
    private readonly writers: NodeWriters,
  ) {}

  writeHead(self: ServerResponse, args: unknown[]): unknown {
    const now = this.#decide(Number(args[0]), args[args.length - 1]);
    if (now === 'passing') return this.writers.writeHead.apply(self, args);
    now.writeHead(args);
    return self;
  }

  write(self: ServerResponse, args: unknown[]): unknown {
    const now = this.#decide(this.res.statusCode, undefined);
    this.#feed(args[0], args[1]);
    return now === 'passing' ? this.writers.write.apply(self, args) : now.write(args);
  }

  end(self: ServerResponse, args: unknown[]): unknown {
    const now = this.#decide(this.res.statusCode, undefined);
    if (typeof args[0] !== 'function') this.#feed(args[0], args[1]);
    if (now === 'passing') return this.writers.end.apply(self, args);
    now.end(args);
    return self;
  }

  #decide(status: number, headers: unknown): 'passing' | HeldNodeResponse {
    if (this.#state !== undefined) return this.#state;
    const type = this.res.getHeader('content-type');
    this.observer.start?.(status, contentTypeOf(headers) ?? (typeof type === 'string' ? type : undefined));
    const hold = this.judge === undefined ? undefined : this.observer.hold?.();
    this.#state = hold === undefined ? 'passing' : holdNodeResponse(this.res, this.writers, hold, this.judge!, () => (this.#state = 'passing'));
    return this.#state;
  }

  #feed(chunk: unknown, encoding: unknown): void {
    if (typeof chunk === 'string') this.observer.chunk(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) this.observer.chunk(chunk);
  }
}

// The first tap of a response lives on it under a symbol and its methods are these shared functions.
// A closure made per response and stored on it as a new property (res.end = function () {...}) is kept
// alive by V8's young-generation collections long after its response, dragging the response into the
// old generation; measured in docs/design-notes.md ("The hot path").
const tapKey = Symbol('tollgate.tap');
type Tapped = ServerResponse & { [tapKey]?: NodeTap };

function tapOf(self: Tapped | undefined): NodeTap {
  const tap = self?.[tapKey];
  if (tap === undefined) throw new TypeError('tollgate: a tapped writeHead, write or end was called on another object than its response');
  return tap;
}

function tappedWriteHead(this: Tapped, ...args: unknown[]): unknown {
  return tapOf(this).writeHead(this, args);
}
function tappedWrite(this: Tapped, ...args: unknown[]): unknown {
  return tapOf(this).write(this, args);
}
function tappedEnd(this: Tapped, ...args: unknown[]): unknown {
  return tapOf(this).end(this, args);
}

/**
 * Wraps `res.writeHead`, `res.write` and `res.end` so every body chunk also reaches `observer.chunk`,
 * without changing what is sent. Works for raw writes, piped streams and frameworks that pass headers
 * to `writeHead` instead of `setHeader`. With `judge`, an observer may hold the response back
 * (`observer.hold`, asked once after `start`): nothing is sent until `judge` answered, then the
 * response goes out as written or is replaced by the refusal it rendered. A response may be tapped
 * more than once (each observer sees the bytes the next tap passes on).
 *
 * @example
 * tapNodeResponse(res, { chunk: (bytes) => hash.update(bytes) });
 */
export function tapNodeResponse(res: ServerResponse, observer: ResponseObserver, judge?: HeldJudge): void {
  const writers = { writeHead: res.writeHead, write: res.write, end: res.end } as unknown as NodeWriters;
  const tap = new NodeTap(res, observer, judge, writers);
  const tapped = res as Tapped;
  if (tapped[tapKey] === undefined) {
    tapped[tapKey] = tap;
    res.writeHead = tappedWriteHead as ServerResponse['writeHead'];
    res.write = tappedWrite as ServerResponse['write'];
    res.end = tappedEnd as ServerResponse['end'];
    return;
  }
  // Tapped already: the shared functions would find the first tap, so this one wraps with its own.
  res.writeHead = function writeHeadTappedAgain(this: ServerResponse, ...args: unknown[]) {
    return tap.writeHead(this, args);
  } as ServerResponse['writeHead'];
  res.write = function writeTappedAgain(this: ServerResponse, ...args: unknown[]) {
    return tap.write(this, args);
  } as ServerResponse['write'];
  res.end = function endTappedAgain(this: ServerResponse, ...args: unknown[]) {
    return tap.end(this, args);
  } as ServerResponse['end'];
}
