// Runs the configured content check on a validated prompt and turns its verdict into a decision or a refusal.
import { TollgateError } from '../errors/tollgate-error.js';
import { runDetector, type ContentVerdict } from './content-check.js';
import { promptTexts } from './prompt-texts.js';
import type { ValidatedBody } from './request-schemas.js';
import type { ResolvedValidateOptions } from './validate-request-options.js';
import type { ContentDecision } from './validate-request-decision.js';

const clip = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * Asks the detector about the prompt. `deny` throws 400 `content_policy_violation` (with the text's
 * `param` when the detector named one); a detector failure follows `onError`: 503 (refuse), or a
 * decision marked with the error (flag, pass).
 *
 * @example
 * context.decisions.validateRequest.content = await checkContent(settings.contentCheck, validated, 'gpt-4o');
 */
export async function checkContent(check: NonNullable<ResolvedValidateOptions['contentCheck']>, request: ValidatedBody, model: string): Promise<ContentDecision> {
  const input = { api: request.api, model, texts: promptTexts(request) };
  const outcome = await runDetector<ContentVerdict>((signal) => check.detector(input, signal), check.timeoutMs);
  if (!('verdict' in outcome)) {
    if (check.onError === 'refuse') {
      throw new TollgateError('TG_CONTENT_CHECK_UNAVAILABLE', { retryAfterSeconds: 1, cause: outcome.cause ?? new Error(`content check ${outcome.failure}`) });
    }
    return { action: check.onError === 'flag' ? 'flag' : 'pass', error: outcome.failure };
  }
  const { verdict } = outcome;
  const action = verdict.action === 'deny' || (verdict.action as string) === 'block' ? 'deny' : verdict.action;
  const reason = typeof verdict.reason === 'string' ? clip(verdict.reason) : undefined;
  const param = typeof verdict.param === 'string' ? clip(verdict.param) : undefined;
  if (action === 'deny') {
    throw new TollgateError('TG_CONTENT_BLOCKED', {
      param: param ?? null,
      message: reason === undefined ? 'The request was refused by a content check.' : `The request was refused by a content check: ${reason}.`,
    });
  }
  return { action, ...(reason === undefined ? {} : { reason }), ...(param === undefined ? {} : { param }), ...(typeof verdict.score === 'number' ? { score: verdict.score } : {}) };
}
