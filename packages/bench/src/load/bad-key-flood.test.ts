// When a measured flood does not count: valid requests refused, bad keys admitted, a control that reached argon2.
import { describe, expect, it } from 'vitest';
import type { LoadResult } from './drive-load.js';
import { floodProblems, type FloodPhase } from './bad-key-flood.js';

const load = (statuses: Record<string, number>): LoadResult => {
  const responses = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  const non2xx = Object.entries(statuses).filter(([code]) => !code.startsWith('2')).reduce((sum, [, count]) => sum + count, 0);
  return { requestsPerSecond: responses, p50Ms: 1, p99Ms: 2, responses, non2xx, errors: 0, statuses };
};
const phase = (statuses: Record<string, number> = { 200: 1_000 }): FloodPhase => ({
  valid: load(statuses),
  inside: { count: 1_000, p50Ms: 1, p99Ms: 2 },
  eventLoop: { p50Ms: 1, p99Ms: 2, maxMs: 3, meanMs: 1 },
});

describe('floodProblems', () => {
  const quiet = phase();
  const refusedBeforeArgon2 = load({ 401: 5_000 });
  const shed = load({ 401: 270, 503: 4_730 });

  it('finds nothing wrong when valid requests pass, the flood is refused or shed and the control is refused', () => {
    expect(floodProblems(quiet, phase(), phase(), refusedBeforeArgon2, shed)).toBeUndefined();
  });

  it('reports valid requests refused in any phase', () => {
    expect(floodProblems(quiet, phase({ 200: 990, 503: 10 }), phase(), refusedBeforeArgon2, shed)).toMatch(/^valid requests were refused or failed: .*"503":10.* with the control flood/);
    expect(floodProblems(quiet, phase(), phase({ 200: 999, 401: 1 }), refusedBeforeArgon2, shed)).toContain('"401":1');
  });

  it('reports bad keys let through by either flood', () => {
    expect(floodProblems(quiet, phase(), phase(), refusedBeforeArgon2, load({ 200: 1, 503: 4_999 }))).toBe('bad keys were let through by the flood: {"200":1,"503":4999}');
    expect(floodProblems(quiet, phase(), phase(), load({ 200: 2, 401: 4_998 }), shed)).toBe('bad keys were let through by the control flood: {"200":2,"401":4998}');
  });

  it('reports a flood that got no answer', () => {
    expect(floodProblems(quiet, phase(), phase(), refusedBeforeArgon2, load({}))).toBe('the flood got no answer at all');
  });

  it('reports a control flood answered otherwise than 401: it did not measure requests refused before argon2', () => {
    expect(floodProblems(quiet, phase(), phase(), load({ 401: 4_000, 503: 1_000 }), shed)).toBe('the control flood was not refused at the lookup alone: {"401":4000,"503":1000}');
  });
});
