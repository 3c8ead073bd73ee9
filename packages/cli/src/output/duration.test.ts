// Durations and expiry instants on the command line.
import { describe, expect, it } from 'vitest';
import { durationSeconds, expiryInstant } from './duration.js';

describe('durationSeconds and expiryInstant', () => {
  it('reads s, m, h, d, w and plain seconds; refuses anything else', () => {
    expect(['45', '45s', '30m', '12h', '90d', '2w'].map((t) => durationSeconds(t, '--grace'))).toStrictEqual([45, 45, 1_800, 43_200, 7_776_000, 1_209_600]);
    for (const bad of ['', '1.5h', '-3d', '3 days', 'forever']) expect(() => durationSeconds(bad, '--grace')).toThrow('--grace must be a duration');
  });

  it('turns a duration into an instant from now, takes zoned ISO dates, and refuses past or zone-less ones', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(expiryInstant('90d', now)).toBe('2026-04-01T00:00:00.000Z');
    expect(expiryInstant('2027-01-31', now)).toBe('2027-01-31T00:00:00.000Z');
    expect(expiryInstant('2027-01-31T12:00:00+02:00', now)).toBe('2027-01-31T10:00:00.000Z');
    expect(() => expiryInstant('2027-01-31T12:00:00', now)).toThrow('--expires must be a duration (90d) or an ISO 8601 date');
    expect(() => expiryInstant('2025-01-01', now)).toThrow('--expires 2025-01-01 is in the past');
  });
});
