// Windows: fixed lengths aligned to the epoch, calendar days/weeks/months in a time zone (DST included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWindow, windowAt, windowsAround, type LimitWindow } from './limit-window.js';

const utc = { timeZone: 'UTC', weekStartsOn: 1 as const };
const calendar = (unit: 'day' | 'week' | 'month', timeZone: string, weekStartsOn: 1 | 7 = 1): LimitWindow => ({ kind: 'calendar', unit, timeZone, weekStartsOn });
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseWindow', () => {
  it('reads durations from one second to 366 days, and calendar names', () => {
    expect(parseWindow('1s', utc, 'w')).toEqual({ kind: 'fixed', ms: 1000 });
    expect(parseWindow('90m', utc, 'w')).toEqual({ kind: 'fixed', ms: 5_400_000 });
    expect(parseWindow('366d', utc, 'w')).toEqual({ kind: 'fixed', ms: 366 * 86_400_000 });
    expect(parseWindow('month', utc, 'w')).toEqual({ kind: 'calendar', unit: 'month', timeZone: 'UTC', weekStartsOn: 1 });
  });

  it.each(['0s', '-1m', '1.5h', '367d', '1w', '', 'm', ' 1m', 60, null])('refuses %j, naming the field', (bad) => {
    expect(() => parseWindow(bad, utc, 'rules[2].window')).toThrow(/^rules\[2\]\.window must be a duration/);
  });
});

describe('windowAt', () => {
  it('aligns fixed windows to the epoch', () => {
    expect(windowAt({ kind: 'fixed', ms: 60_000 }, 90_500)).toEqual({ start: 60_000, end: 120_000 });
  });

  it('starts days at local midnight, across a 23-hour DST day', () => {
    const berlin = calendar('day', 'Europe/Berlin');
    const span = windowAt(berlin, Date.parse('2025-03-30T12:00:00Z'));
    expect([iso(span.start), iso(span.end)]).toEqual(['2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z']);
  });

  it('starts a day where DST skips midnight at the first instant that exists', () => {
    // In Santiago clocks jumped from 2024-09-08 00:00 to 01:00, so that day began at 01:00 local (04:00Z).
    const span = windowAt(calendar('day', 'America/Santiago'), Date.parse('2024-09-08T15:00:00Z'));
    expect(iso(span.start)).toBe('2024-09-08T04:00:00.000Z');
  });

  it('starts weeks on the configured day and months on the 1st, in the zone', () => {
    const at = Date.parse('2025-06-12T03:00:00Z'); // Thursday; still Wednesday 11 June in Los Angeles
    expect(iso(windowAt(calendar('week', 'UTC'), at).start)).toBe('2025-06-09T00:00:00.000Z');
    expect(iso(windowAt(calendar('week', 'UTC', 7), at).start)).toBe('2025-06-08T00:00:00.000Z');
    expect(iso(windowAt(calendar('week', 'America/Los_Angeles'), at).start)).toBe('2025-06-09T07:00:00.000Z');
    const month = windowAt(calendar('month', 'Asia/Tokyo'), Date.parse('2025-12-31T16:00:00Z'));
    expect([iso(month.start), iso(month.end)]).toEqual(['2025-12-31T15:00:00.000Z', '2026-01-31T15:00:00.000Z']);
  });

  it('always contains the instant, and neighbours touch', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...zones), fc.constantFrom('day', 'week', 'month'), (at, zone, unit) => {
        const [prev, current, next] = windowsAround(calendar(unit as 'day', zone), at);
        return current.start <= at && at < current.end && prev.end === current.start && current.end === next.start;
      }),
      { numRuns: 300 },
    );
  });
});
