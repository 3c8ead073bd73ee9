// Field schemas shared by the config sections, with the same limits and messages as the programmatic checks.
import { z } from 'zod';
import { describeFound } from './config-problems.js';

/** A whole number within [min, max]; the message matches `wholeNumber()` in options/option-checks.ts. */
export function wholeNumberField(min: number, max: number): z.ZodNumber {
  const error = max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`;
  const wrongType = (issue: { input: unknown }): string | undefined =>
    issue.input === undefined ? undefined : typeof issue.input === 'number' ? error : `expected a whole number, got ${describeFound(issue.input)}`;
  return z.int({ error: wrongType }).min(min, { error }).max(max, { error });
}

/** An HTTP header name (an RFC 9110 token); any case, since headers are matched lower-cased. */
export const headerNameField = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)" });

/**
 * A string accepted only when `check` (one of core's own validators, which throw) accepts it, so the
 * file and the programmatic API can never disagree. The message is ours: the validator's own would
 * repeat the value, which may have come from an environment variable.
 */
export function checkedString(check: (value: string) => unknown, error: string): z.ZodString {
  return z.string().refine((value) => {
    try {
      check(value);
      return true;
    } catch {
      return false;
    }
  }, { error });
}
