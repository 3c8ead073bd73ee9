// Connects a pipeline's response side to a Node ServerResponse: disconnects, body observers, finish once.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ContextHandle } from '../context/tg-context.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ResponseObserver, ResponseOutcome } from '../pipeline/step.js';

const abortedAtClose = new WeakMap<ServerResponse, boolean>();
const watched = new WeakSet<ServerResponse>();
// 'finish' seen: the whole response was handed over. Test doubles (Fastify's inject) emit it without a socket to flush to.
const finished = new WeakSet<ServerResponse>();

const completed = (res: ServerResponse): boolean => res.writableFinished || finished.has(res);

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
  if (watched.has(res)) return;
  watched.add(res);
  res.once('finish', () => finished.add(res));
  res.once('close', () => {
    // Decided once, by the first close listener, so a handler that ends the response on close cannot hide the abort.
    const aborted = !completed(res);
    abortedAtClose.set(res, aborted);
    if (aborted) handle.abort('client disconnected');
  });
}

/** How a Node response ended, as {@link abortOnDisconnect} first saw it. */
export function nodeResponseOutcome(res: ServerResponse): ResponseOutcome {
  return { status: res.statusCode, aborted: abortedAtClose.get(res) ?? !completed(res) };
}

/**
 * Call once `pipeline.run` has answered. When the chain let the request through (`passed`), the
 * steps' observers see every body byte the handler writes; when the response has ended (refusals
 * included), `observer.end` and then `pipeline.finish` run, once.
 *
 * @example
 * const refusal = await pipeline.run(handle);
 * finishOnClose(res, handle, pipeline, refusal === undefined);
 */
export function finishOnClose(res: ServerResponse, handle: ContextHandle, pipeline: Pipeline, passed: boolean): void {
  const observer = passed ? pipeline.observe(handle) : undefined;
  if (observer !== undefined) tapNodeResponse(res, observer);
  const ended = (): void => {
    const outcome = nodeResponseOutcome(res);
    // Observers read the whole body before the steps settle on it.
    observer?.end?.(outcome);
    void pipeline.finish(handle, outcome);
  };
  if (res.closed || res.destroyed) ended();
  else res.once('close', ended);
}

type WriteArgs = [chunk?: unknown, encoding?: unknown, callback?: unknown];

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
 * to `writeHead` instead of `setHeader`.
 *
 * @example
 * tapNodeResponse(res, { chunk: (bytes) => hash.update(bytes) });
 */
export function tapNodeResponse(res: ServerResponse, observer: ResponseObserver): void {
  const { writeHead, write, end } = res;
  let headType: string | undefined;
  let started = false;
  const feed = (chunk: unknown, encoding: unknown): void => {
    if (!started) {
      started = true;
      const type = res.getHeader('content-type');
      observer.start?.(res.statusCode, typeof type === 'string' ? type : headType);
    }
    if (typeof chunk === 'string') observer.chunk(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) observer.chunk(chunk);
  };
  res.writeHead = function tappedWriteHead(this: ServerResponse, ...args: unknown[]) {
    headType = contentTypeOf(args[args.length - 1]) ?? headType;
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  res.write = function tappedWrite(this: ServerResponse, ...args: WriteArgs) {
    feed(args[0], args[1]);
    return (write as (...a: WriteArgs) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function tappedEnd(this: ServerResponse, ...args: WriteArgs) {
    if (typeof args[0] !== 'function') feed(args[0], args[1]);
    else feed(undefined, undefined);
    return (end as (...a: WriteArgs) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
}
