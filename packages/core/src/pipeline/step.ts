// A step of the request path (authenticate, resolveTenant, …): a name, what it needs first, and what it does.
import type { TgContext } from '../context/tg-context.js';
import type { TollgateError } from '../errors/tollgate-error.js';

/** How a response ended, as the adapter saw it. */
export interface ResponseOutcome {
  readonly status: number;
  /** True when the client went away (or tollgate cut the response off) before the end. */
  readonly aborted: boolean;
}

/** Reads the response body as the handler writes it (usage extraction, output checks, hashing). */
export interface ResponseObserver {
  /** Called once before the first chunk with the status and content type. */
  start?(status: number, contentType: string | undefined): void;
  /** Each chunk the handler writes, in order. Must not throw; must be cheap. */
  chunk(chunk: Uint8Array): void;
  /** The response ended (completely or not). */
  end?(outcome: ResponseOutcome): void;
  /**
   * Optional: asked once, right after `start`. Return a {@link ResponseHold} to hold this response
   * back (status, headers and body) until `verdict` has judged all of it; undefined lets it through
   * as it is written. Observers ask only for whole bodies they can judge (never an event stream).
   */
  hold?(): ResponseHold | undefined;
}

/** A response an observer holds back until it has judged the whole of it, then sends or replaces. */
export interface ResponseHold {
  /** The most body bytes held. A longer body is never sent: it is replaced, whatever the verdict. */
  readonly maxBytes: number;
  /**
   * Called once the handler ended the response and every byte of it reached `chunk`. `overLimit`:
   * the body passed `maxBytes` (it was fed to `chunk` but not kept). Resolves undefined to send the
   * response exactly as written, or the error whose rendering replaces it.
   */
  verdict(overLimit: boolean): Promise<TollgateError | undefined>;
}

/** What an observer may do to the response it watches. */
export interface ResponseControl {
  /** Aborts the context's signal with this reason (the handler should then end its upstream call). */
  abort(reason: string): void;
}

/** One step of the chain. Steps throw a TollgateError to refuse a request. */
export interface Step {
  /** Unique name, e.g. `authenticate`. */
  readonly name: string;
  /** Steps that must have completed before this one runs. */
  readonly requires: readonly string[];
  run(context: TgContext): void | Promise<void>;
  /**
   * Optional: an observer of the response body, asked for once after the chain let the request
   * through, when the response starts (or when it ends without having started), so nothing is held
   * while the handler waits for the model. Return undefined when this request needs none. `control.abort` fires the context's
   * signal (e.g. a stream that passed its reservation), so the handler stops its upstream call.
   */
  observeResponse?(context: TgContext, control?: ResponseControl): ResponseObserver | undefined;
  /**
   * Optional: runs once when the response has ended, for every step of the pipeline (in reverse
   * order), whether or not the step ran and whether or not the request was refused: settle usage,
   * release leases, write the record. Errors are reported to `onError`, never to the client.
   */
  finish?(context: TgContext, outcome: ResponseOutcome): void | Promise<void>;
}
