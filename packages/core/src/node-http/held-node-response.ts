// Holds a Node response back (status, headers, body) until a step's verdict, then sends it as written or core's refusal instead.
import type { ServerResponse } from 'node:http';
import type { RenderedResponse } from '../errors/render-error.js';
import type { HeldJudge } from '../pipeline/response-hold.js';
import type { ResponseHold } from '../pipeline/step.js';

/** The response's own writeHead, write and end, from before they were wrapped. */
export interface NodeWriters {
  readonly writeHead: (...args: unknown[]) => unknown;
  readonly write: (...args: unknown[]) => unknown;
  readonly end: (...args: unknown[]) => unknown;
}

/** What the wrapped methods do with a response that is being held. */
export interface HeldNodeResponse {
  writeHead(args: unknown[]): void;
  write(args: unknown[]): boolean;
  end(args: unknown[]): void;
}

const callbackOf = (args: unknown[]): (() => void) | undefined => args.find((arg): arg is () => void => typeof arg === 'function');

function sizeOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/**
 * Starts holding `res`: the handler's writeHead, writes and end are kept (up to `hold.maxBytes` of body)
 * instead of sent, while the response looks sent to the framework (`headersSent`, `writableEnded`), so
 * it does not answer twice. When the handler ends, `judge` decides: the kept calls are replayed exactly
 * (same framing, same headers), or every header the handler set is dropped and the refusal sent.
 * `released` is called first, so the wrapped methods pass the replayed calls straight through.
 *
 * @example
 * const held = holdNodeResponse(res, { writeHead, write, end }, hold, judge, () => (state = 'passing'));
 */
export function holdNodeResponse(res: ServerResponse, writers: NodeWriters, hold: ResponseHold, judge: HeldJudge, released: () => void): HeldNodeResponse {
  let head: unknown[] | undefined;
  const writes: Array<readonly [chunk: unknown, encoding: unknown]> = [];
  let bytes = 0;
  let overLimit = false;
  let started = false;
  let ended = false;
  Object.defineProperty(res, 'headersSent', { configurable: true, get: () => started });
  Object.defineProperty(res, 'writableEnded', { configurable: true, get: () => ended });

  // Bytes past the limit are not kept: the answer can then only be replaced.
  const count = (chunk: unknown, encoding: unknown): void => {
    bytes += sizeOf(chunk, encoding);
    if (bytes > hold.maxBytes && !overLimit) {
      overLimit = true;
      writes.length = 0;
    }
  };

  // From here on the response's own methods and properties speak again.
  const restore = (): void => {
    released();
    delete (res as { headersSent?: boolean }).headersSent;
    delete (res as { writableEnded?: boolean }).writableEnded;
  };

  const release = (replacement: RenderedResponse | undefined, endArgs: unknown[]): void => {
    restore();
    // The client left while the answer was judged: nothing to send.
    if (res.destroyed) return;
    if (replacement === undefined) {
      if (head !== undefined) writers.writeHead.apply(res, head);
      for (const [chunk, encoding] of writes) writers.write.call(res, chunk, encoding);
      writers.end.apply(res, endArgs);
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    // A reason phrase the handler set must not describe the refusal; '' lets Node use the standard one.
    if (res.statusMessage) res.statusMessage = '';
    writers.writeHead.call(res, replacement.status, replacement.headers);
    const callback = callbackOf(endArgs);
    if (callback === undefined) writers.end.call(res, replacement.body);
    else writers.end.call(res, replacement.body, callback);
  };

  return {
    writeHead(args) {
      started = true;
      head ??= args;
    },
    write(args) {
      if (ended) return false;
      started = true;
      const encoding = typeof args[1] === 'string' ? args[1] : undefined;
      count(args[0], encoding);
      if (!overLimit && sizeOf(args[0], encoding) > 0) writes.push([args[0], encoding]);
      // Nothing waits on the socket while the body is held: the handler may write on at once.
      const callback = callbackOf(args.slice(1));
      if (callback !== undefined) process.nextTick(callback);
      return true;
    },
    end(args) {
      if (ended) return;
      started = true;
      ended = true;
      if (typeof args[0] !== 'function') count(args[0], typeof args[1] === 'string' ? args[1] : undefined);
      judge(hold, overLimit).then(
        (replacement) => release(replacement, args),
        (error: unknown) => {
          // Not even a refusal could be rendered (a custom renderer threw): fail closed, send nothing.
          restore();
          res.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  };
}
