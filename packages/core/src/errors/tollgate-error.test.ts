// TollgateError: answers carry no stack trace, bugs (500) do, and the process-wide limit is left as it was.
import { describe, expect, it } from 'vitest';
import { isTollgateError, TollgateError } from './tollgate-error.js';

const frames = (error: Error): string[] => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));

describe('TollgateError', () => {
  it('captures no stack frames for an answer (401, 429, 503), only its name and message', () => {
    for (const code of ['TG_INVALID_CREDENTIAL', 'TG_RATE_LIMITED', 'TG_STORE_UNAVAILABLE'] as const) {
      const error = new TollgateError(code);
      expect(frames(error)).toEqual([]);
      expect(error.stack).toBe(`TollgateError: ${error.message}`);
      expect(isTollgateError(error)).toBe(true);
    }
  });

  it('keeps the stack of a 500, and the stack of the cause of an answer', () => {
    const bug = new TollgateError('TG_INTERNAL');
    expect(bug.status).toBe(500);
    expect(frames(bug).length).toBeGreaterThan(0);
    const cause = new Error('connection reset');
    const outage = new TollgateError('TG_STORE_UNAVAILABLE', { cause });
    expect(outage.cause).toBe(cause);
    expect(frames(cause).length).toBeGreaterThan(0);
  });

  it('leaves Error.stackTraceLimit as it found it', () => {
    const before = Error.stackTraceLimit;
    new TollgateError('TG_INVALID_CREDENTIAL');
    new TollgateError('TG_INTERNAL');
    expect(Error.stackTraceLimit).toBe(before);
    expect(frames(new Error('after')).length).toBeGreaterThan(0);
  });
});
