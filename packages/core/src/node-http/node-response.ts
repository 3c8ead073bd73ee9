// Connects a pipeline's response side to a Node ServerResponse: disconnects, body observers, finish once.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ContextHandle } from '../context/tg-context.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { judgeHeldResponse, type HeldJudge } from '../pipeline/response-hold.js';
import type { ResponseObserver, ResponseOutcome } from '../pipeline/step.js';
import { holdNodeResponse, type HeldNodeResponse, type NodeWriters } from './held-node-response.js';

// Per-response state lives on the response under symbols, not in WeakMaps: a WeakMap entry keyed by a
// short-lived object makes every young collection slower and drags the request into the old generation.
const watching = Symbol('tollgate.watching');
// 'finish' seen: the whole response was handed over. Test doubles (Fastify's inject) emit it without a socket to flush to.
const finishedMark = Symbol('tollgate.finished');
const abortedMark = Symbol('tollgate.abortedAtClose');
type Marked = ServerResponse & { [watching]?: true; [finishedMark]?: true; [abortedMark]?: boolean };

const completed = (res: ServerResponse): boolean => res.writableFinished || (res as Marked)[finishedMark] === true;

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
  const marked = res as Marked;
  if (marked[watching] === true) return;
  marked[watching] = true;
  res.once('finish', () => (marked[finishedMark] = true));
  res.once('close', () => {
    // Decided once, by the first close listener, so a handler that ends the response on close cannot hide the abort.
    const aborted = !completed(res);
    marked[abortedMark] = aborted;
    if (aborted) handle.abort('client disconnected');
  });
}

/** How a Node response ended, as {@link abortOnDisconnect} first saw it. */
export function nodeResponseOutcome(res: ServerResponse): ResponseOutcome {
  return { status: res.statusCode, aborted: (res as Marked)[abortedMark] ?? !completed(res) };
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

/**
 * Wraps `res.writeHead`, `res.write` and `res.end` so every body chunk also reaches `observer.chunk`,
 * without changing what is sent. Works for raw writes, piped streams and frameworks that pass headers
 * to `writeHead` instead of `setHeader`. With `judge`, an observer may hold the response back
 * (`observer.hold`, asked once after `start`): nothing is sent until `judge` answered, then the
 * response goes out as written or is replaced by the refusal it rendered.
 *
 * @example
 * tapNodeResponse(res, { chunk: (bytes) => hash.update(bytes) });
 */
export function tapNodeResponse(res: ServerResponse, observer: ResponseObserver, judge?: HeldJudge): void {
  const writers = { writeHead: res.writeHead, write: res.write, end: res.end } as unknown as NodeWriters;
  // Undecided until the first writeHead, write or end, where the status and type are known: a hold is decided there, before anything is sent.
  let state: 'passing' | HeldNodeResponse | undefined;
  const decide = (status: number, headers: unknown): 'passing' | HeldNodeResponse => {
    if (state !== undefined) return state;
    const type = res.getHeader('content-type');
    observer.start?.(status, contentTypeOf(headers) ?? (typeof type === 'string' ? type : undefined));
    const hold = judge === undefined ? undefined : observer.hold?.();
    state = hold === undefined ? 'passing' : holdNodeResponse(res, writers, hold, judge!, () => (state = 'passing'));
    return state;
  };
  const feed = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string') observer.chunk(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) observer.chunk(chunk);
  };
  res.writeHead = function tappedWriteHead(this: ServerResponse, ...args: unknown[]) {
    const now = decide(Number(args[0]), args[args.length - 1]);
    if (now === 'passing') return writers.writeHead.apply(this, args);
    now.writeHead(args);
    return this;
  } as ServerResponse['writeHead'];
  res.write = function tappedWrite(this: ServerResponse, ...args: unknown[]) {
    const now = decide(res.statusCode, undefined);
    feed(args[0], args[1]);
    return now === 'passing' ? writers.write.apply(this, args) : now.write(args);
  } as ServerResponse['write'];
  res.end = function tappedEnd(this: ServerResponse, ...args: unknown[]) {
    const now = decide(res.statusCode, undefined);
    if (typeof args[0] !== 'function') feed(args[0], args[1]);
    if (now === 'passing') return writers.end.apply(this, args);
    now.end(args);
    return this;
  } as ServerResponse['end'];
}
