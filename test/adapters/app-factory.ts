// The one interface each framework implements so every conformance scenario runs against it.
import type { ConformanceFixture } from './conformance-fixture.js';

/**
 * An app built with one adapter, listening on 127.0.0.1. It serves:
 *
 * - `GET /healthz`: public, `{ "status": "ok" }`.
 * - For each `[prefix, chain]` of `fixture.mounts`, every request under `prefix/` is guarded by
 *   `chain` (unknown routes included: refused before a 404 could reveal the route table) and these
 *   routes answer, written the way that framework's users write them:
 *   - `GET  {prefix}/whoami`: 200 JSON `{ subject, tenant, requestId }` from the framework's
 *     principal (`req.auth`, `request.auth`, `c.get('auth')`, `ctx.state.auth`) and context.
 *   - `POST {prefix}/echo`: 200 JSON `{ body }`, the body as the framework hands it to the handler
 *     (`null` when none).
 *   - `POST {prefix}/answer`: 200 JSON `answerFor(body)` (a chat completion answering the request's
 *     first message) with the header `answerHeader: conformance`, written with the framework's JSON idiom.
 *   - `GET  {prefix}/stream`: 200 `text/event-stream`, each of `sseEvents` written separately with
 *     the framework's streaming idiom.
 *   - `GET  {prefix}/hang`: waits until the context's signal aborts, then ends; with `?stream=1` it
 *     first streams `sseEvents[0]`.
 */
export interface AdapterApp {
  /** Shown in test names, e.g. `fastify 5`. */
  readonly name: string;
  start(fixture: ConformanceFixture): Promise<RunningApp>;
}

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Resolves once the signal has aborted (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Lets the event loop turn, so consecutive writes leave as separate chunks. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
