// Holding a response back: the pipeline's combined hold (every holding step's verdict, failing closed) and the refusal that replaces a withheld answer.
import type { ContextHandle, TgContext } from '../context/tg-context.js';
import { toTollgateError, type RenderedResponse } from '../errors/render-error.js';
import { TollgateError } from '../errors/tollgate-error.js';
import type { Pipeline } from './pipeline.js';
import type { ResponseHold, ResponseObserver } from './step.js';

/** Asks a held response's verdict (adapters pass {@link judgeHeldResponse}): undefined sends it as written; a rendered refusal replaces it. */
export type HeldJudge = (hold: ResponseHold, overLimit: boolean) => Promise<RenderedResponse | undefined>;

/** A step's observer that may hold the response. */
export interface HoldingObserver {
  readonly step: string;
  readonly observer: ResponseObserver;
}

/** A hold whose `hold()` threw: it keeps no bytes and refuses, so a broken observer never lets an answer out unjudged. */
const failedHold = (thrown: unknown): ResponseHold => ({ maxBytes: 0, verdict: () => Promise.reject(thrown) });

function combineHolds(holders: readonly HoldingObserver[], context: TgContext): ResponseHold | undefined {
  const holds: Array<{ readonly step: string; readonly hold: ResponseHold }> = [];
  for (const { step, observer } of holders) {
    let hold: ResponseHold | undefined;
    try {
      hold = observer.hold?.();
    } catch (thrown) {
      hold = failedHold(thrown);
    }
    if (hold !== undefined) holds.push({ step, hold });
  }
  if (holds.length === 0) return undefined;
  return {
    maxBytes: Math.min(...holds.map(({ hold }) => hold.maxBytes)),
    async verdict(overLimit) {
      const verdicts = await Promise.all(holds.map(async ({ step, hold }) => {
        let error: TollgateError | undefined;
        try {
          error = await hold.verdict(overLimit);
        } catch (thrown) {
          error = toTollgateError(thrown);
        }
        // The held bytes are gone once past the limit: the answer can only be replaced.
        return { step, error: error ?? (overLimit ? new TollgateError('TG_OUTPUT_BLOCKED') : undefined) };
      }));
      const first = verdicts.find((verdict) => verdict.error !== undefined);
      if (first?.error === undefined) return undefined;
      context.decisions.blocked = { step: first.step, code: first.error.code, status: first.error.status };
      return first.error;
    },
  };
}

/**
 * The pipeline's combined observer with `hold` added, for a request where some step's observer may
 * hold the response. The first refusal in chain order wins and is recorded as `decisions.blocked`.
 *
 * @example
 * return holders.length === 0 ? combined : withHold(combined, holders, handle.context);
 */
export function withHold(combined: ResponseObserver, holders: readonly HoldingObserver[], context: TgContext): ResponseObserver {
  return {
    start: (status, contentType) => combined.start?.(status, contentType),
    chunk: (chunk) => combined.chunk(chunk),
    end: (outcome) => combined.end?.(outcome),
    hold: () => combineHolds(holders, context),
  };
}

/**
 * Asks a held response's verdict. Resolves undefined to send the held response as written, or the
 * refusal to send instead, rendered by the pipeline with the context's response headers (request id,
 * rate-limit headers). A body over the hold's limit is never sent, whatever the verdict.
 *
 * @example
 * const replacement = await judgeHeldResponse(pipeline, handle, hold, overLimit);
 */
export async function judgeHeldResponse(pipeline: Pipeline, handle: ContextHandle, hold: ResponseHold, overLimit: boolean): Promise<RenderedResponse | undefined> {
  const { context } = handle;
  let error: TollgateError | undefined;
  try {
    error = await hold.verdict(overLimit);
  } catch (thrown) {
    error = toTollgateError(thrown);
  }
  if (error === undefined && overLimit) error = new TollgateError('TG_OUTPUT_BLOCKED');
  if (error === undefined) return undefined;
  context.decisions.blocked ??= { step: 'response', code: error.code, status: error.status };
  const rendered = pipeline.render(error, context.requestId);
  return { ...rendered, headers: { ...context.responseHeaders, ...rendered.headers } };
}
