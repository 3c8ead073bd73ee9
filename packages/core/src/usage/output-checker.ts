// Model output is untrusted: keeps its text (bounded), checks its shape, and runs the output detector (flag or block).
import type { ResponseControl } from '../pipeline/step.js';
import { conservativeTokenEstimate } from '../token-estimate/conservative-estimate.js';
import type { InferenceApi } from '../validate-request/api-route.js';
import { runDetector, type OutputDetector, type OutputVerdict } from '../validate-request/content-check.js';
import type { SchemaBreak } from './response-schemas.js';

/** Output checks, resolved from the step's options. */
export interface OutputSettings {
  readonly schema: 'off' | 'flag' | 'block';
  readonly detector: OutputDetector | undefined;
  readonly timeoutMs: number;
  /** For streams: run the detector again each time this many more characters arrived; 0 runs it at the end only. */
  readonly everyChars: number;
  /** What a detector that fails or times out counts as. */
  readonly onError: 'flag' | 'pass' | 'block';
  /** Hold a non-streamed JSON answer back until the checks answered, so `block` can withhold it. */
  readonly hold: boolean;
  /** Output characters kept for the detector and the cut-off estimate. */
  readonly maxChars: number;
}

/** What the response side recorded, under `context.decisions.validateRequest.response`. */
export interface ResponseDecision {
  /** Where usage came from: the response itself, an estimate for a cut-off stream, or nowhere. */
  usage?: 'response' | 'estimated' | 'none';
  /** A JSON response larger than the read limit, passed on unread. */
  tooLarge?: boolean;
  /** The output schema check, when on. */
  schema?: { readonly valid: boolean; readonly path?: string };
  /** The output detector's most severe verdict, or why there was none. */
  output?: { readonly action: 'pass' | 'flag' | 'block'; readonly reason?: string; readonly score?: number; readonly error?: 'timeout' | 'error' };
}

const severity = { pass: 0, flag: 1, block: 2 } as const;

/**
 * The output-check state of one response.
 *
 * @example
 * const checker = outputChecker({ api: 'chat', model: 'gpt-4o', output }, control, decision);
 */
export function outputChecker(request: { readonly api: InferenceApi; readonly model: string; readonly output: OutputSettings | undefined }, control: ResponseControl | undefined, decision: ResponseDecision) {
  const output = request.output;
  const kept: string[] = [];
  let chars = 0;
  let overflow = 0;
  let checkedAt = 0;
  let running = 0;
  const pending: Array<Promise<void>> = [];

  const record = (verdict: ResponseDecision['output']): void => {
    if (verdict === undefined) return;
    if (decision.output === undefined || severity[verdict.action] > severity[decision.output.action]) decision.output = verdict;
    if (verdict.action === 'block') control?.abort(`output blocked: ${verdict.reason ?? 'output check'}`);
  };

  const runCheck = (complete: boolean): void => {
    const detector = output?.detector;
    if (detector === undefined || output === undefined) return;
    const input = { api: request.api, model: request.model, text: kept.join(''), complete };
    running += 1;
    const done = runDetector<OutputVerdict>((signal) => detector(input, signal), output.timeoutMs).then((outcome) => {
      running -= 1;
      if ('verdict' in outcome) {
        const { action, reason, score } = outcome.verdict;
        const mapped = action === 'block' || (action as string) === 'deny' ? 'block' : action;
        record({ action: mapped, ...(reason === undefined ? {} : { reason: String(reason).slice(0, 200) }), ...(typeof score === 'number' ? { score } : {}) });
      } else record({ action: output.onError, error: outcome.failure });
    });
    pending.push(done);
  };

  return {
    /** Keeps a piece of output text; beyond `maxChars` only its estimated tokens are kept. */
    addText(text: string): void {
      const room = (output?.maxChars ?? 1_000_000) - chars;
      if (room >= text.length) {
        kept.push(text);
        chars += text.length;
        return;
      }
      if (room > 0) {
        kept.push(text.slice(0, room));
        chars += room;
      }
      overflow += conservativeTokenEstimate(text.slice(Math.max(0, room)));
    },
    /** Runs a shape check unless the schema check is off or already failed. */
    checkShape(check: () => SchemaBreak): void {
      if (output === undefined || output.schema === 'off' || decision.schema?.valid === false) return;
      const broken = check();
      if (broken === undefined) return;
      decision.schema = { valid: false, path: broken.path };
      if (output.schema === 'block') control?.abort('response failed its schema check');
    },
    /** A stream advanced: re-run the detector when enough new text arrived and none is running. */
    progress(): void {
      if (output === undefined || output.everyChars <= 0 || running > 0 || chars - checkedAt < output.everyChars) return;
      checkedAt = chars;
      runCheck(false);
    },
    /** The response ended: a last detector run on the whole output, and the schema verdict. */
    finish(): void {
      if (output !== undefined && output.schema !== 'off') decision.schema ??= { valid: true };
      runCheck(true);
    },
    /** Whether the checks so far withhold the answer: a detector said block, or a broken shape under `schema: 'block'`. */
    blocks: (): boolean => decision.output?.action === 'block' || (output?.schema === 'block' && decision.schema?.valid === false),
    text: (): string => kept.join(''),
    overflowTokens: (): number => overflow,
    settled: async (): Promise<void> => {
      await Promise.all(pending);
    },
  };
}
