// The pure lifecycle merges every store shares: earliest dates win, first rotation stays, last use only rises.
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from './key-record.js';
import { applyKeyRecordPatch, latestUses, parseKeyRecordPatch, withLastUse } from './key-record-patch.js';

const record: KeyRecord = { id: 'AAAAAAAAAAAA', env: 'live', hash: '$argon2id$x', subject: 'alice', kind: 'user', roles: [], scopes: [], createdAt: '2026-01-01T00:00:00Z' };

describe('applyKeyRecordPatch', () => {
  it('sets what is absent and keeps the earlier of two dates, as written', () => {
    const once = applyKeyRecordPatch(record, { revokedAt: '2030-01-02T00:00:00+01:00', expiresAt: '2031-01-01' });
    expect(once).toStrictEqual({ ...record, revokedAt: '2030-01-02T00:00:00+01:00', expiresAt: '2031-01-01' });
    // 2030-01-01T23:30Z is after 2030-01-02T00:00+01:00 (= 2030-01-01T23:00Z): the first stays.
    expect(applyKeyRecordPatch(once, { revokedAt: '2030-01-01T23:30:00Z' }).revokedAt).toBe('2030-01-02T00:00:00+01:00');
    expect(applyKeyRecordPatch(once, { revokedAt: '2030-01-01T22:00:00Z' }).revokedAt).toBe('2030-01-01T22:00:00Z');
    expect(applyKeyRecordPatch(once, { expiresAt: '2031-01-01T00:00:00.000Z' }).expiresAt).toBe('2031-01-01');
  });

  it('keeps the first rotatedTo, and gives the same record for patches in any order', () => {
    const patches = [{ rotatedTo: 'BBBBBBBBBBBB', expiresAt: '2030-05-01T00:00:00Z' }, { rotatedTo: 'CCCCCCCCCCCC' }, { expiresAt: '2030-04-01T00:00:00Z', revokedAt: '2030-06-01T00:00:00Z' }];
    const forward = patches.reduce(applyKeyRecordPatch, record);
    const backward = [...patches].reverse().reduce(applyKeyRecordPatch, { ...record, rotatedTo: 'BBBBBBBBBBBB' });
    expect(forward).toStrictEqual({ ...record, rotatedTo: 'BBBBBBBBBBBB', expiresAt: '2030-04-01T00:00:00Z', revokedAt: '2030-06-01T00:00:00Z' });
    expect(backward).toStrictEqual(forward);
  });
});

describe('withLastUse and latestUses', () => {
  it('raises lastUsedAt and never lowers it', () => {
    const used = withLastUse(record, Date.parse('2030-01-01T00:00:05Z'));
    expect(used.lastUsedAt).toBe('2030-01-01T00:00:05.000Z');
    expect(withLastUse(used, Date.parse('2030-01-01T00:00:01Z'))).toBe(used);
    expect(withLastUse(used, Number.NaN)).toBe(used);
  });

  it('keeps the latest use per key and drops unreadable ones', () => {
    expect(latestUses([{ keyId: 'a', at: 5 }, { keyId: 'b', at: 1 }, { keyId: 'a', at: 9 }, { keyId: 'a', at: 7 }, { keyId: 'c', at: Number.POSITIVE_INFINITY }])).toStrictEqual([
      { keyId: 'a', at: 9 },
      { keyId: 'b', at: 1 },
    ]);
  });
});

describe('parseKeyRecordPatch', () => {
  it('refuses unknown fields, bad dates and bad key ids, naming the field', () => {
    expect(parseKeyRecordPatch({ revokedAt: '2030-01-01T00:00:00Z' }, 'x')).toStrictEqual({ revokedAt: '2030-01-01T00:00:00Z' });
    expect(() => parseKeyRecordPatch({ subject: 'mallory' }, 'store.patch()')).toThrow(/Invalid key patch in store.patch\(\): patch: .*subject/);
    expect(() => parseKeyRecordPatch({ expiresAt: '2030-01-01T00:00' }, 'x')).toThrow(/expiresAt: must be an ISO 8601 date/);
    expect(() => parseKeyRecordPatch({ rotatedTo: '../x' }, 'x')).toThrow(/rotatedTo: must be 12 base62 characters/);
  });
});
