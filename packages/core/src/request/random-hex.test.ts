// randomHex: fresh random bytes as hex, from a pool refilled when it runs out; bad sizes refused.
import { describe, expect, it } from 'vitest';
import { randomHex } from './random-hex.js';

describe('randomHex', () => {
  it('gives byteCount bytes as lowercase hex, different every time, across many refills of the pool', () => {
    // 3,000 × 12 bytes is nearly nine 4 KiB pools, and 12 does not divide 4096: ids straddle the refills.
    const ids = Array.from({ length: 3_000 }, () => randomHex(12));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('takes sizes from one byte to a whole pool', () => {
    expect(randomHex(1)).toMatch(/^[0-9a-f]{2}$/);
    expect(randomHex(4096)).toMatch(/^[0-9a-f]{8192}$/);
    expect(randomHex(4096)).not.toBe(randomHex(4096));
  });

  it('uses each random byte once: bytes look uniform over a large sample', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 400; i++) {
      const hex = randomHex(256);
      for (let j = 0; j < hex.length; j += 2) counts[Number.parseInt(hex.slice(j, j + 2), 16)]! += 1;
    }
    // 102,400 bytes, 400 expected per value: a stuck or repeated pool would leave values far off.
    expect(Math.min(...counts)).toBeGreaterThan(250);
    expect(Math.max(...counts)).toBeLessThan(550);
  });

  it.each([0, -1, 1.5, 4097, Number.NaN])('refuses a byte count of %s', (count) => {
    expect(() => randomHex(count)).toThrow(RangeError);
  });
});
