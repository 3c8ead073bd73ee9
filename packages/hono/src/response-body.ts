// Watches a Fetch Response on its way out: feeds its body to core's observer, holds it when an observer asks, and reports when it ended.
import type { HeldJudge, ResponseObserver } from '@tollgate/core';

/** Called once with whether the body was cut short (client gone, stream cancelled or failed). */
export type BodyEnded = (aborted: boolean) => void;

/**
 * Returns a response with the same status and headers whose body passes every chunk to `observer`
 * and calls `ended` once, when the body has been read to the end or cancelled. A response without a
 * body ends at once. The body is passed through unbuffered, so streams stay streams. The caller
 * has told the observer the status and type (`observer.start`) already.
 *
 * @example
 * c.res = watchResponse(c.res, observer, (aborted) => void pipeline.finish(handle, { status, aborted }));
 */
export function watchResponse(response: Response, observer: ResponseObserver | undefined, ended: BodyEnded): Response {
  const source = response.body;
  if (source === null) {
    ended(false);
    return response;
  }
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let settled = false;
  const settle = (aborted: boolean): void => {
    if (settled) return;
    settled = true;
    ended(aborted);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= source.getReader();
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          settle(false);
          return;
        }
        observer?.chunk(value);
        controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        settle(true);
      }
    },
    async cancel(reason) {
      settle(true);
      await (reader ?? source).cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Reads a held body whole, feeding each chunk to the observer; past `maxBytes` it stops and cancels the rest. */
async function readHeld(source: ReadableStream<Uint8Array> | null, observer: ResponseObserver, maxBytes: number): Promise<{ body: Blob; overLimit: boolean }> {
  const parts: Uint8Array[] = [];
  let size = 0;
  if (source !== null) {
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      observer.chunk(value);
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel('held response over its limit');
        return { body: new Blob([]), overLimit: true };
      }
      parts.push(value);
    }
  }
  return { body: new Blob(parts), overLimit: false };
}

/**
 * The response to send for a handler's `response`: observed as it streams out, or, when an observer
 * holds it (`observer.hold`), read whole first and sent once `judge` answered, as written or replaced by
 * the refusal core rendered. `ended` gets whether the body was cut short and the status actually sent.
 *
 * @example
 * c.res = await observedResponse(response, observer, judge, (aborted, status) => void pipeline.finish(handle, { status, aborted }));
 */
export async function observedResponse(response: Response, observer: ResponseObserver | undefined, judge: HeldJudge, ended: (aborted: boolean, status: number) => void): Promise<Response> {
  observer?.start?.(response.status, response.headers.get('content-type') ?? undefined);
  const hold = observer?.hold?.();
  if (hold === undefined) return watchResponse(response, observer, (aborted) => ended(aborted, response.status));
  let held: { body: Blob; overLimit: boolean };
  try {
    held = await readHeld(response.body, observer!, hold.maxBytes);
  } catch (error) {
    // The handler's body failed: the client sees it fail, as it would unheld.
    const failed = new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) });
    return watchResponse(new Response(failed, { status: response.status, headers: response.headers }), undefined, (aborted) => ended(aborted, response.status));
  }
  const replacement = await judge(hold, held.overLimit);
  if (replacement === undefined) {
    const kept = new Response(held.body, { status: response.status, statusText: response.statusText, headers: response.headers });
    return watchResponse(kept, undefined, (aborted) => ended(aborted, response.status));
  }
  const refusal = new Response(replacement.body, { status: replacement.status, headers: replacement.headers });
  return watchResponse(refusal, undefined, (aborted) => ended(aborted, replacement.status));
}
