// Limit windows: fixed lengths aligned to the store clock's epoch, or calendar days/weeks/months in a time zone.
import { ConfigError } from '../errors/tollgate-error.js';

/** A window as stores see it: a fixed length, or a calendar period in an IANA time zone. */
export type LimitWindow =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'calendar'; readonly unit: 'day' | 'week' | 'month'; readonly timeZone: string; readonly weekStartsOn: WeekDay };

/** ISO weekday: 1 is Monday, 7 is Sunday. */
export type WeekDay = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One window instance: `start <= t < end`, in milliseconds since the epoch. */
export interface WindowSpan {
  readonly start: number;
  readonly end: number;
}

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const longestFixedMs = 366 * 86_400_000;

/**
 * Parses a window: `30s`, `1m`, `12h`, `7d` (fixed, aligned to the epoch of the store's clock) or
 * `day`, `week`, `month` (calendar, in `timeZone`). Throws a ConfigError naming `where`.
 *
 * @example
 * parseWindow('1m', { timeZone: 'UTC', weekStartsOn: 1 }, 'rules[0].window') // { kind: 'fixed', ms: 60000 }
 */
export function parseWindow(text: unknown, calendar: { timeZone: string; weekStartsOn: WeekDay }, where: string): LimitWindow {
  if (text === 'day' || text === 'week' || text === 'month') return { kind: 'calendar', unit: text, ...calendar };
  const match = typeof text === 'string' ? /^([1-9]\d{0,5})(s|m|h|d)$/.exec(text) : null;
  const ms = match === null ? Number.NaN : Number(match[1]) * unitMs[match[2]!]!;
  if (!(ms <= longestFixedMs)) {
    throw new ConfigError(`${where} must be a duration such as 30s, 1m, 12h, 7d (1 second to 366 days) or one of day, week, month; got ${JSON.stringify(text)}`);
  }
  return { kind: 'fixed', ms };
}

/** Throws a ConfigError unless `zone` is an IANA time zone this runtime knows. */
export function assertTimeZone(zone: unknown, where: string): string {
  try {
    if (typeof zone !== 'string' || zone === '') throw new RangeError('empty');
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(`${where} must be an IANA time zone such as "UTC" or "Europe/Berlin"; got ${JSON.stringify(zone)}`);
  }
}

/** Length in whole seconds of a window (of the span containing `at`, for calendar windows). */
export function windowSeconds(window: LimitWindow, span: WindowSpan): number {
  return Math.round((window.kind === 'fixed' ? window.ms : span.end - span.start) / 1000);
}

/**
 * The window instance that contains `at`.
 *
 * @example
 * windowAt({ kind: 'fixed', ms: 60_000 }, 90_500) // { start: 60000, end: 120000 }
 */
export function windowAt(window: LimitWindow, at: number): WindowSpan {
  if (window.kind === 'fixed') {
    const start = Math.floor(at / window.ms) * window.ms;
    return { start, end: start + window.ms };
  }
  const local = localDate(window.timeZone, at);
  let first: CivilDate;
  let next: CivilDate;
  if (window.unit === 'day') {
    first = local;
    next = addDays(local, 1);
  } else if (window.unit === 'week') {
    first = addDays(local, -((local.weekday - window.weekStartsOn + 7) % 7));
    next = addDays(first, 7);
  } else {
    first = { ...local, day: 1 };
    next = local.month === 12 ? { ...local, year: local.year + 1, month: 1, day: 1 } : { ...local, month: local.month + 1, day: 1 };
  }
  return { start: startOfLocalDay(window.timeZone, first), end: startOfLocalDay(window.timeZone, next) };
}

/** The window before, the one containing `at`, and the one after (stores pick by their own clock). */
export function windowsAround(window: LimitWindow, at: number): readonly [WindowSpan, WindowSpan, WindowSpan] {
  const current = windowAt(window, at);
  return [windowAt(window, current.start - 1), current, windowAt(window, current.end)];
}

interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** ISO weekday of this date. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields in `timeZone` at instant `at`, read back as if they were UTC. */
function wallClockAsUtc(timeZone: string, at: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
}

function localDate(timeZone: string, at: number): CivilDate {
  const wall = new Date(wallClockAsUtc(timeZone, at));
  return fromUtcDate(wall);
}

function fromUtcDate(date: Date): CivilDate {
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday };
}

function addDays(date: CivilDate, days: number): CivilDate {
  return fromUtcDate(new Date(Date.UTC(date.year, date.month - 1, date.day + days)));
}

/**
 * The first instant whose local date in `timeZone` is `date`. Usually local midnight; where a DST
 * change skips midnight, the first instant after the gap.
 */
function startOfLocalDay(timeZone: string, date: CivilDate): number {
  const midnightAsUtc = Date.UTC(date.year, date.month - 1, date.day);
  // Two rounds settle the UTC offset in force at local midnight.
  let guess = midnightAsUtc - (wallClockAsUtc(timeZone, midnightAsUtc) - midnightAsUtc);
  guess = midnightAsUtc - (wallClockAsUtc(timeZone, guess) - guess);
  const isOnOrAfter = (t: number): boolean => wallClockAsUtc(timeZone, t) >= midnightAsUtc;
  // The local date is monotonic in t, so a binary search over a few hours finds the exact first second.
  let low = guess - 4 * 3_600_000;
  let high = guess + 4 * 3_600_000;
  if (isOnOrAfter(guess) && !isOnOrAfter(guess - 1000)) return guess;
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2000) * 1000;
    if (isOnOrAfter(mid)) high = mid;
    else low = mid;
  }
  return high;
}
