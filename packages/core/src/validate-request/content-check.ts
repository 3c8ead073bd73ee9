// The pluggable content checks (prompt injection on the way in, model output on the way out): types and a bounded runner.
import type { InferenceApi } from './api-route.js';

/** One text of a prompt, with where it sits in the body and who wrote it. */
export interface PromptText {
  /** Its path in the body, e.g. `messages[2].content` (usable as `param`). */
  readonly param: string;
  /** `system`, `developer`, `user`, `assistant` or `tool` (tool results are where indirect injections arrive). */
  readonly role: string;
  readonly text: string;
}

/** What a detector sees of a request. */
export interface ContentCheckInput {
  readonly api: InferenceApi;
  /** The resolved model name. */
  readonly model: string;
  readonly texts: readonly PromptText[];
}

/** A detector's answer. `deny` refuses the request (400), `flag` lets it through and records why. */
export interface ContentVerdict {
  readonly action: 'pass' | 'flag' | 'deny';
  /** A short, client-safe reason (shown in the 400 for a denial, recorded for a flag). */
  readonly reason?: string;
  /** The text at fault (its `param`). */
  readonly param?: string;
  /** A score, recorded as given. */
  readonly score?: number;
}

/** Checks a request's texts. Honour `signal`: it fires at the timeout. */
export type ContentDetector = (input: ContentCheckInput, signal: AbortSignal) => ContentVerdict | Promise<ContentVerdict>;

/** What an output detector sees: the model's output so far (the whole of it at the end of a response). */
export interface OutputCheckInput {
  readonly api: InferenceApi;
  readonly model: string;
  readonly text: string;
  /** False while a stream is still running. */
  readonly complete: boolean;
}

/** An output detector's answer: `block` withholds a held JSON answer (502) or cuts a stream off (abort), `flag` records why. */
export interface OutputVerdict {
  readonly action: 'pass' | 'flag' | 'block';
  readonly reason?: string;
  readonly score?: number;
}

/** Checks model output, treated as untrusted. Honour `signal`: it fires at the timeout. */
export type OutputDetector = (input: OutputCheckInput, signal: AbortSignal) => OutputVerdict | Promise<OutputVerdict>;

/** The outcome of running a detector: its verdict, or why there is none. */
export type DetectorOutcome<V> = { readonly verdict: V } | { readonly failure: 'timeout' | 'error'; readonly cause?: unknown };

const actions = new Set(['pass', 'flag', 'deny', 'block']);

/**
 * Runs a detector with a timeout; never throws. A verdict that is not an object with a known
 * `action` counts as an error, so a broken detector cannot pass a request by accident.
 *
 * @example
 * const outcome = await runDetector(() => ({ action: 'pass' }), 1000);
 */
export async function runDetector<V extends { action: string }>(detect: (signal: AbortSignal) => V | Promise<V>, timeoutMs: number): Promise<DetectorOutcome<V>> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DetectorOutcome<V>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`detector did not answer within ${timeoutMs} ms`));
      resolve({ failure: 'timeout' });
    }, timeoutMs);
  });
  const answer = (async (): Promise<DetectorOutcome<V>> => {
    try {
      const verdict = await detect(controller.signal);
      if (typeof verdict !== 'object' || verdict === null || !actions.has(verdict.action)) {
        return { failure: 'error', cause: new TypeError('detector returned no verdict with a known action') };
      }
      return { verdict };
    } catch (cause) {
      return { failure: 'error', cause };
    }
  })();
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
