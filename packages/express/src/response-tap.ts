// Feeds what an Express handler writes to core's response observer, without changing the response.
import type { ResponseObserver } from '@tollgate/core';
import type { Response } from 'express';

type WriteArgs = [chunk?: unknown, encoding?: unknown, callback?: unknown];

/** Wraps `res.write` and `res.end` so every body chunk also reaches `observer.chunk`. */
export function tapResponse(res: Response, observer: ResponseObserver): void {
  const write = res.write;
  const end = res.end;
  let started = false;
  const feed = (chunk: unknown, encoding: unknown): void => {
    if (!started) {
      started = true;
      const type = res.getHeader('content-type');
      observer.start?.(res.statusCode, typeof type === 'string' ? type : undefined);
    }
    if (typeof chunk === 'string') observer.chunk(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) observer.chunk(chunk);
  };
  res.write = function tappedWrite(this: Response, ...args: WriteArgs) {
    feed(args[0], args[1]);
    return (write as (...a: WriteArgs) => boolean).apply(this, args);
  } as Response['write'];
  res.end = function tappedEnd(this: Response, ...args: WriteArgs) {
    if (typeof args[0] !== 'function') feed(args[0], args[1]);
    else feed(undefined, undefined);
    return (end as (...a: WriteArgs) => Response).apply(this, args);
  } as Response['end'];
}
