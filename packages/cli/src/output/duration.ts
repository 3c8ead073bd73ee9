// Durations and instants on the command line: `90d`, `12h`, `30m`, `45s`, or an ISO 8601 date.
import { UsageError } from '../command.js';

const units: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Seconds in `90d`, `12h`, `30m`, `45s`, `2w` or a plain number of seconds; a usage error naming `option` otherwise.
 *
 * @example
 * durationSeconds('24h', '--grace') // 86400
 */
export function durationSeconds(text: string, option: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(text.trim());
  if (match === null) throw new UsageError(`${option} must be a duration such as 90d, 12h, 30m or 45s; got ${JSON.stringify(text)}`);
  return Number(match[1]) * units[match[2] || 's']!;
}

/**
 * The instant an `--expires` value names: a duration from `now`, or an ISO 8601 date with a zone.
 *
 * @example
 * expiryInstant('90d', Date.now()) // 90 days from now
 */
export function expiryInstant(text: string, now: number, option = '--expires'): string {
  if (/^\d+[smhdw]?$/.test(text.trim())) return new Date(now + durationSeconds(text, option) * 1000).toISOString();
  const zoned = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(text);
  const at = Date.parse(text);
  if (!zoned || !Number.isFinite(at)) throw new UsageError(`${option} must be a duration (90d) or an ISO 8601 date (2030-01-31 or 2030-01-31T00:00:00Z); got ${JSON.stringify(text)}`);
  if (at <= now) throw new UsageError(`${option} ${text} is in the past`);
  return new Date(at).toISOString();
}
