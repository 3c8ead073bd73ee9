// Watches a Fetch Response on its way out: feeds its body to core's observer and reports when it ended.
import type { ResponseObserver } from '@tollgate/core';

/** Called once with whether the body was cut short (client gone, stream cancelled or failed). */
export type BodyEnded = (aborted: boolean) => void;

/**
 * Returns a response with the same status and headers whose body passes every chunk to `observer`
 * and calls `ended` once, when the body has been read to the end or cancelled. A response without a
 * body ends at once. The body is passed through unbuffered, so streams stay streams.
 *
 * @example
 * c.res = watchResponse(c.res, observer, (aborted) => void pipeline.finish(handle, { status, aborted }));
 */
export function watchResponse(response: Response, observer: ResponseObserver | undefined, ended: BodyEnded): Response {
  const source = response.body;
  if (source === null) {
    observer?.start?.(response.status, response.headers.get('content-type') ?? undefined);
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
    start() {
      observer?.start?.(response.status, response.headers.get('content-type') ?? undefined);
    },
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
