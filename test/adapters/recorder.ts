// A step that records, per request id, what core saw: the context, the observed response body, each finish call.
import type { ResponseOutcome, Step, TgContext } from '@tollgate/core';
import { vi } from 'vitest';

/** Everything the recorder saw of one request. */
export interface RequestRecord {
  readonly context: TgContext;
  /** Set when the chain let the request through and observers were asked for. */
  observed: { status: number; type: string | undefined; body: string; ended: ResponseOutcome | undefined } | undefined;
  readonly finishes: Array<{ readonly outcome: ResponseOutcome; readonly refusal: string | undefined }>;
}

/** The recording step plus ways to read what it recorded. */
export interface Recorder {
  readonly step: Step;
  /** The record of a request id, or undefined when no chain ran for it. */
  get(requestId: string): RequestRecord | undefined;
  /** Waits until the request id's record passes `check`, then returns it. */
  waitFor(requestId: string, check?: (record: RequestRecord) => boolean): Promise<RequestRecord>;
}

/**
 * A recorder meant for the `inferenceLog` slot (first in the chain, so it sees refusals too).
 *
 * @example
 * const recorder = createRecorder();
 * gate({ authenticate, inferenceLog: recorder.step });
 */
export function createRecorder(): Recorder {
  const records = new Map<string, RequestRecord>();
  const recordOf = (context: TgContext): RequestRecord => {
    let record = records.get(context.requestId);
    if (record === undefined) {
      record = { context, observed: undefined, finishes: [] };
      records.set(context.requestId, record);
    }
    return record;
  };
  const step: Step = {
    name: 'recorder',
    requires: [],
    run: (context) => void recordOf(context),
    observeResponse(context) {
      const observed = { status: 0, type: undefined as string | undefined, body: '', ended: undefined as ResponseOutcome | undefined };
      recordOf(context).observed = observed;
      const decoder = new TextDecoder();
      return {
        start: (status, type) => Object.assign(observed, { status, type }),
        chunk: (chunk) => void (observed.body += decoder.decode(chunk, { stream: true })),
        end: (outcome) => void (observed.ended = outcome),
      };
    },
    finish: (context, outcome) => void recordOf(context).finishes.push({ outcome, refusal: context.decisions.refusal?.code }),
  };
  return {
    step,
    get: (requestId) => records.get(requestId),
    async waitFor(requestId, check = () => true) {
      let found: RequestRecord | undefined;
      await vi.waitFor(() => {
        found = records.get(requestId);
        if (found === undefined || !check(found)) throw new Error(`no matching record for ${requestId} yet`);
      }, { timeout: 5_000, interval: 10 });
      return found!;
    },
  };
}
