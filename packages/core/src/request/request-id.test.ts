// Unit tests of request ids: a client's id is echoed only when single and well-formed, else a fresh req_ id.
import { describe, expect, it } from 'vitest';
import { isWellFormedRequestId, newRequestId, pickRequestId } from './request-id.js';

const fresh = /^req_[0-9a-f]{32}$/;

describe('newRequestId', () => {
  it('makes req_ and 32 hex digits, different every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRequestId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(fresh);
  });
});

describe('isWellFormedRequestId', () => {
  it.each(['abc-123', 'a', 'req_0123456789abcdef', '0af7651916cd43dd8448eb211c80319c', 'trace:span.1_2-3', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(isWellFormedRequestId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'x'.repeat(129)],
    ['a trailing newline', 'abc\n'],
    ['CRLF injection', 'abc\r\nx-admin: 1'],
    ['a space', 'abc 123'],
    ['a tab', 'abc\t'],
    ['NUL', 'abc\0'],
    ['unicode', 'réq-1'],
    ['a full-width digit', 'req１'],
    ['quotes', '"abc"'],
    ['a comma (two ids joined)', 'abc,def'],
    ['a slash', 'a/b'],
    ['html', '<script>'],
  ])('refuses %s', (_, id) => {
    expect(isWellFormedRequestId(id)).toBe(false);
  });
});

describe('pickRequestId', () => {
  it('echoes a single well-formed incoming id', () => {
    expect(pickRequestId(['abc-123'], true)).toBe('abc-123');
    expect(pickRequestId(['x'.repeat(128)], true)).toBe('x'.repeat(128));
  });

  it('makes a fresh id when the incoming one is refused', () => {
    for (const bad of [['x'.repeat(129)], ['abc\n'], ['réq'], ['']]) {
      const id = pickRequestId(bad, true);
      expect(id).toMatch(fresh);
    }
  });

  it('makes a fresh id for two headers, even if both are well-formed', () => {
    expect(pickRequestId(['abc', 'abc'], true)).toMatch(fresh);
    expect(pickRequestId(['abc', 'def'], true)).toMatch(fresh);
  });

  it('makes a fresh id when there is none or incoming ids are not accepted', () => {
    expect(pickRequestId([], true)).toMatch(fresh);
    expect(pickRequestId(['abc-123'], false)).toMatch(fresh);
    expect(pickRequestId([], true)).not.toBe(pickRequestId([], true));
  });
});
